import { createPostgresStore, MIGRATIONS } from '@switchboard/store-postgres';
import { postgresTestSchema } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const db = await postgresTestSchema('store-postgres schema');
afterAll(() => db?.drop());

const title = db ? 'PostgreSQL schema' : 'PostgreSQL schema (skipped: PostgreSQL unreachable)';

describe.skipIf(!db)(title, () => {
  const open = () => createPostgresStore({ connectionString: db!.url, schema: db!.schema });

  it('records each applied migration, and a second open applies none again', async () => {
    await (await open()).close();
    await (await open()).close();
    const rows = await db!.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('keeps strings with NUL and U+FFFF, which PostgreSQL text cannot hold as they are', async () => {
    await db!.truncate();
    const store = await open();
    const odd = 'a\u0000b\uffff0';
    await store.appendHistory({
      entries: [
        {
          appId: 'a',
          channel: `room:${odd}`,
          kind: 'message',
          seq: 1,
          timestamp: 1,
          items: [{ id: odd, name: odd, clientId: odd, data: odd, extras: { note: odd } }],
        },
      ],
      latest: [],
      states: [{ appId: 'a', channel: `room:${odd}`, epoch: 'e', lastSeq: 1 }],
    });
    await store.saveChannels([
      {
        appId: 'a',
        name: `room:${odd}`,
        type: 'room',
        firstActivityAt: 1,
        lastActivityAt: 1,
        active: true,
      },
    ]);
    const [item] = await store.readHistory({
      appId: 'a',
      channel: `room:${odd}`,
      kind: 'message',
      backwards: false,
      limit: 10,
      asSent: true,
    });
    expect(item!.item).toMatchObject({ id: odd, name: odd, clientId: odd, data: odd });
    expect(item!.item.extras).toEqual({ note: odd });
    const page = await store.listChannels({ appId: 'a', prefix: 'room:a\u0000', limit: 10 });
    expect(page.items.map((c) => c.name)).toEqual([`room:${odd}`]);
    expect((await store.listChannelStates())[0]!.channel).toBe(`room:${odd}`);
    await store.close();
  });

  it('refuses a newer schema with one clear error, writing nothing', async () => {
    const store = await open();
    await store.saveApp({ id: 'kept', createdAt: 1, keys: [], namespaces: [] });
    await store.close();
    await db!.query('INSERT INTO schema_migrations (version) VALUES (999)');
    await expect(open()).rejects.toThrow(
      new RegExp(`schema ${db!.schema} has schema version 999, newer than this Switchboard`),
    );
    expect(await db!.query('SELECT id FROM apps')).toEqual([{ id: 'kept' }]);
    await db!.query('DELETE FROM schema_migrations WHERE version = 999');
  });

  it('rejects a schema name it would have to quote', async () => {
    await expect(
      createPostgresStore({ connectionString: db!.url, schema: 'x; DROP TABLE apps' }),
    ).rejects.toThrow(TypeError);
  });
});
