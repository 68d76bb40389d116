import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where tests find PostgreSQL unless SWITCHBOARD_TEST_DATABASE_URL says otherwise. */
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema of its own for one test file (SERVICES.md: a namespace per test run). */
export interface PostgresTestSchema {
  /** The connection string (the schema is passed separately). */
  readonly url: string;
  /** `sb_test_<random>`, created by `postgresTestSchema()`. */
  readonly schema: string;
  /** Empties every table but the migration record and seeded config, as for a new store. */
  truncate(): Promise<void>;
  /** Plain SQL against the schema, for tests that check tables as other readers see them. */
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh schema for a test file. When PostgreSQL cannot be reached this fails under
 * `CI=true` (a missing service is a failure there) and otherwise prints one line naming what to
 * start and resolves undefined, so the caller skips its tests.
 */
export async function postgresTestSchema(label: string): Promise<PostgresTestSchema | undefined> {
  const url = process.env.SWITCHBOARD_TEST_DATABASE_URL ?? DEFAULT_URL;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    const reason = `PostgreSQL unreachable at ${url} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${label}: ${reason}`);
    console.warn(
      `${label}: skipped: ${reason}; start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` ' +
        'or set SWITCHBOARD_TEST_DATABASE_URL',
    );
    return undefined;
  }
  const schema = `sb_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const kept = ['schema_migrations', 'realtime_heartbeat_config'];
  return {
    url,
    schema,
    async truncate() {
      const { rows } = await admin.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE schemaname = $1 AND NOT (tablename = ANY($2))',
        [schema, kept],
      );
      if (rows.length === 0) return;
      const tables = rows.map((r) => `${schema}.${r.tablename}`).join(', ');
      await admin.query(`TRUNCATE ${tables} RESTART IDENTITY`);
    },
    async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []) {
      await admin.query(`SET search_path TO ${schema}`);
      return (await admin.query<R>(sql, values)).rows;
    },
    async drop() {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
