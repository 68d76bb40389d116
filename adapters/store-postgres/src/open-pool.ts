import pg from 'pg';
import { MIGRATIONS } from './migrations.js';
import { inTransaction } from './transaction.js';

/** PostgreSQL's type id for int8 (bigint). */
const INT8 = 20;

/**
 * bigint columns hold epoch milliseconds and counters, all within 2^53: read them as numbers.
 * Set on this pool only (pg's `types` option), never through pg's process-wide parser registry.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A schema name we put unquoted into `search_path` and DDL: plain identifiers only. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options for the connection pool. */
export interface PoolOptions {
  connectionString: string;
  schema?: string;
  max?: number;
}

/**
 * Opens a pool on `schema` (created if missing) and applies pending migrations. Several nodes may
 * start at once, so migrations run under a transaction-scoped advisory lock; a database whose
 * schema is newer than this code is refused before anything is written.
 */
export async function openPool(options: PoolOptions): Promise<pg.Pool> {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema))
    throw new TypeError(
      `Invalid PostgreSQL schema name: ${schema} (lower-case letters, digits, _)`,
    );
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // A database that stopped answering fails the query (a persisted publish NACKs) instead of
    // holding it until the kernel gives up on the connection.
    connectionTimeoutMillis: 5_000,
    types,
    // A startup parameter, so every pooled connection has it before its first query.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    await migrate(pool, schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `switchboard-migrations:${schema ?? ''}`,
    ]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version INTEGER PRIMARY KEY,
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const version = rows[0]?.version ?? 0;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `PostgreSQL schema ${schema ?? '(search_path)'} has schema version ${version}, newer than ` +
          `this Switchboard knows (${MIGRATIONS.length}): refusing to start; ` +
          'run the newer Switchboard or restore a backup',
      );
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
    }
  });
}
