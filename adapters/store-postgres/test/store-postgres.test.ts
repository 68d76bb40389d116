import { createPostgresStore } from '@switchboard/store-postgres';
import { postgresTestSchema, runStoreSuite } from '@switchboard/testkit';
import { afterAll, describe } from 'vitest';

// One schema for this file; each open() empties it, as the suite wants a new store per case.
const db = await postgresTestSchema('store-postgres conformance');
afterAll(() => db?.drop());

const title = db ? 'PostgreSQL store' : 'PostgreSQL store (skipped: PostgreSQL unreachable)';

describe.skipIf(!db)(title, () => {
  const options = () => ({ connectionString: db!.url, schema: db!.schema });
  runStoreSuite('PostgreSQL', {
    open: async () => {
      await db!.truncate();
      return createPostgresStore(options());
    },
    reopen: () => createPostgresStore(options()),
  });
});
