import { createPostgresStore } from '@switchboard/store-postgres';
import { postgresTestSchema } from '@switchboard/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const db = await postgresTestSchema('store-postgres B2B tables');
afterAll(() => db?.drop());

const title = db ? 'B2B tables' : 'B2B tables (skipped: PostgreSQL unreachable)';

/** The columns the B2B team's design notes name, per table. */
const DOCUMENTED = {
  realtime_channels: [
    'id',
    'tenant_id',
    'channel_name',
    'channel_type',
    'entity_id',
    'config',
    'is_active',
    'last_activity_at',
    'created_at',
    'updated_at',
  ],
  realtime_heartbeat_config: [
    'id',
    'channel_type',
    'heartbeat_interval_ms',
    'timeout_ms',
    'created_at',
    'updated_at',
  ],
  realtime_events_log: ['id', 'tenant_id', 'event_type', 'event_data', 'published_at'],
  realtime_connection_stats: [
    'id',
    'tenant_id',
    'connection_id',
    'client_info',
    'connected_at',
    'disconnected_at',
    'last_heartbeat_at',
    'message_count',
    'created_at',
  ],
};

describe.skipIf(!db)(title, () => {
  it('migration creates the B2B tables with the documented columns and seeds the heartbeat defaults', async () => {
    const store = await createPostgresStore({ connectionString: db!.url, schema: db!.schema });
    await store.close();
    for (const [table, columns] of Object.entries(DOCUMENTED)) {
      const rows = await db!.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [db!.schema, table],
      );
      expect(rows.map((r) => r.column_name)).toEqual(expect.arrayContaining(columns));
    }
    const config = await db!.query(
      `SELECT channel_type, heartbeat_interval_ms, timeout_ms FROM realtime_heartbeat_config
       ORDER BY channel_type`,
    );
    expect(config).toEqual([
      { channel_type: 'organization', heartbeat_interval_ms: 60000, timeout_ms: 180000 },
      { channel_type: 'project', heartbeat_interval_ms: 30000, timeout_ms: 90000 },
      { channel_type: 'session', heartbeat_interval_ms: 30000, timeout_ms: 90000 },
      { channel_type: 'system', heartbeat_interval_ms: 60000, timeout_ms: 180000 },
      { channel_type: 'user', heartbeat_interval_ms: 30000, timeout_ms: 90000 },
    ]);
  });

  it('registry, events and connection stats land in the B2B tables, readable with plain SQL', async () => {
    await db!.truncate();
    const store = await createPostgresStore({ connectionString: db!.url, schema: db!.schema });
    const at = Date.UTC(2026, 1, 3, 4, 5, 6, 789);
    await store.saveChannels([
      {
        appId: 'app1',
        name: 'project:abc123',
        type: 'project',
        firstActivityAt: at,
        lastActivityAt: at + 1000,
        active: true,
      },
    ]);
    await store.appendEvents([
      {
        appId: 'app1',
        channel: 'project:abc123',
        name: 'project.updated',
        serial: 'ep.1:0',
        dataBytes: 42,
        clientId: 'alice',
        connectionId: 'conn1',
        source: 'realtime',
        timestamp: at + 500,
      },
    ]);
    await store.saveConnectionStats([
      {
        connectionId: 'conn1',
        appId: 'app1',
        clientId: 'alice',
        transport: 'websocket',
        format: 'json',
        connectedAt: at,
        lastActivityAt: at + 2000,
        messagesIn: 3,
        messagesOut: 4,
      },
    ]);
    await store.close();

    const channels = await db!.query(
      `SELECT tenant_id, channel_name, channel_type, entity_id, is_active,
              last_activity_at = $1::timestamptz AS last_matches
       FROM realtime_channels`,
      [new Date(at + 1000).toISOString()],
    );
    expect(channels).toEqual([
      {
        tenant_id: 'app1',
        channel_name: 'project:abc123',
        channel_type: 'project',
        entity_id: 'abc123',
        is_active: true,
        last_matches: true,
      },
    ]);
    // The join the B2B team uses in place of a channel_id key.
    const events = await db!.query<{ published_at: Date }>(
      `SELECT e.event_type, e.event_data, e.published_at, c.channel_name
       FROM realtime_events_log e
       JOIN realtime_channels c ON c.tenant_id = e.tenant_id AND c.channel_name = e.channel`,
    );
    expect(events).toEqual([
      {
        event_type: 'project.updated',
        event_data: {
          size: 42,
          serial: 'ep.1:0',
          clientId: 'alice',
          connectionId: 'conn1',
          source: 'realtime',
        },
        published_at: new Date(at + 500),
        channel_name: 'project:abc123',
      },
    ]);
    const connections = await db!.query(
      `SELECT tenant_id, connection_id, client_info, last_heartbeat_at, message_count::int AS count,
              disconnected_at
       FROM realtime_connection_stats`,
    );
    expect(connections).toEqual([
      {
        tenant_id: 'app1',
        connection_id: 'conn1',
        client_info: { clientId: 'alice', transport: 'websocket', format: 'json' },
        last_heartbeat_at: new Date(at + 2000),
        count: 7,
        disconnected_at: null,
      },
    ]);
  });
});
