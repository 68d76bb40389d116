/**
 * The tables the B2B team queries in its own database, named and shaped as in its design notes
 * (realtime_channels, realtime_heartbeat_config, realtime_events_log, realtime_connection_stats),
 * with Switchboard's own columns beside theirs. Differences from the notes, and why:
 * - `tenant_id` is the Switchboard app id, which is text, not a UUID.
 * - `channel_type` has no CHECK: it is whatever precedes a channel name's first `:`.
 * - events and connections carry the channel name (`channel`) instead of a `channel_id` foreign
 *   key: the registry is written behind and pruned on its own, so a key could dangle or lag;
 *   join on (tenant_id, channel) = (tenant_id, channel_name).
 * - connection rows have no channel: one connection attaches many channels.
 * - event_type is NULL for a message without a name.
 */
export const B2B_TABLES_MIGRATION = `
  CREATE TABLE realtime_channels (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id TEXT COLLATE "C" NOT NULL,
    channel_name TEXT COLLATE "C" NOT NULL,
    channel_type TEXT NOT NULL,
    entity_id TEXT,
    config JSONB NOT NULL DEFAULT '{}',
    is_active BOOLEAN NOT NULL DEFAULT true,
    first_activity_at TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX idx_realtime_channels_name ON realtime_channels (tenant_id, channel_name);
  CREATE INDEX realtime_channels_by_type ON realtime_channels (tenant_id, channel_type);
  CREATE INDEX realtime_channels_inactive ON realtime_channels (last_activity_at)
    WHERE NOT is_active;
  CREATE INDEX realtime_channels_active ON realtime_channels (tenant_id) WHERE is_active;

  -- Switchboard does not read this (its heartbeats are the protocol's); it is seeded with the
  -- defaults the B2B team's SSE helpers use, per channel type.
  CREATE TABLE realtime_heartbeat_config (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    channel_type TEXT NOT NULL UNIQUE,
    heartbeat_interval_ms INTEGER NOT NULL DEFAULT 30000,
    timeout_ms INTEGER NOT NULL DEFAULT 90000,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  INSERT INTO realtime_heartbeat_config (channel_type, heartbeat_interval_ms, timeout_ms) VALUES
    ('project', 30000, 90000),
    ('session', 30000, 90000),
    ('organization', 60000, 180000),
    ('user', 30000, 90000),
    ('system', 60000, 180000);

  -- One row per published message: who and how, never the payload (that stays in history).
  -- arrival orders rows that share a published_at, as they were appended.
  CREATE TABLE realtime_events_log (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    arrival BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    tenant_id TEXT COLLATE "C" NOT NULL,
    channel TEXT COLLATE "C" NOT NULL,
    event_type TEXT,
    event_data JSONB NOT NULL,
    published_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE INDEX realtime_events_log_by_tenant ON realtime_events_log (tenant_id, published_at, arrival);
  CREATE INDEX idx_realtime_events_log_channel
    ON realtime_events_log (tenant_id, channel, published_at, arrival);
  CREATE INDEX realtime_events_log_by_time ON realtime_events_log (published_at);

  -- One row per realtime connection, rewritten as it goes. client_info holds clientId,
  -- transport and format; message_count is messages in plus out.
  CREATE TABLE realtime_connection_stats (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id TEXT COLLATE "C" NOT NULL,
    connection_id TEXT COLLATE "C" NOT NULL UNIQUE,
    client_info JSONB NOT NULL,
    connected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    disconnected_at TIMESTAMPTZ,
    last_heartbeat_at TIMESTAMPTZ NOT NULL,
    messages_in BIGINT NOT NULL DEFAULT 0,
    messages_out BIGINT NOT NULL DEFAULT 0,
    message_count BIGINT GENERATED ALWAYS AS (messages_in + messages_out) STORED,
    disconnect_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE INDEX realtime_connection_stats_by_tenant
    ON realtime_connection_stats (tenant_id, connected_at, connection_id);
  CREATE INDEX idx_realtime_connection_stats_active
    ON realtime_connection_stats (tenant_id, connected_at, connection_id)
    WHERE disconnected_at IS NULL;
  CREATE INDEX realtime_connection_stats_by_end
    ON realtime_connection_stats ((coalesce(disconnected_at, last_heartbeat_at)));`;
