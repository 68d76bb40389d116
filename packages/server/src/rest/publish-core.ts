import { Errors, isErrorInfo, parseChannelName, type Message } from '@switchboard/protocol';
import { requireChannelAccess } from '../auth/channel-access.js';
import type { AuthContext } from '../auth/authenticate.js';
import { stampMessage } from '../connection/publish-checks.js';
import type { EngineContext } from '../context.js';
import { randomId } from '../ids.js';
import { recordInbound } from '../stats/record-inbound.js';
import { pushForChannelMessages } from '../push/push-dispatch.js';

/** What a REST publish to one channel returns (RSL1, BatchPublishSuccessResult). */
export interface ChannelPublishResult {
  channel: string;
  messageId: string;
  serials: (string | null)[];
}

/** A REST publish's result, and for a persisted channel when it is stored (answer only then). */
export interface PendingPublish {
  result: ChannelPublishResult;
  committed?: Promise<void>;
}

/**
 * Publishes validated messages to one channel on behalf of a REST caller: capability, clientId
 * and size checks, idempotent ids (RSL1k), attribution to a realtime connection by
 * `connectionKey` (RSL1m-style publish on behalf).
 */
export function publishToChannel(
  ctx: EngineContext,
  auth: AuthContext,
  channelName: string,
  raw: Message[],
  /** For the audit log: a single REST publish, or one channel of a batch publish (RSC22). */
  source: 'rest' | 'batch' = 'rest',
): PendingPublish {
  const { name } = parseChannelName(channelName);
  requireChannelAccess(ctx.apps, auth, name, 'publish');
  if (raw.length === 0) throw Errors.badRequest('No messages to publish');
  const channel = ctx.channels.get(auth.app.record.id, name);
  const now = ctx.clock.now();
  const base = randomId(9);
  let connectionId = `rest${randomId(4)}`;
  const viaKey = raw.find((m) => m.connectionKey)?.connectionKey;
  if (viaKey) {
    const session = ctx.connections.byKey(viaKey);
    // Publishing on behalf of a connection needs the same identity as that connection.
    if (!session || session.auth.app !== auth.app || session.auth.clientId !== auth.clientId)
      throw Errors.invalidParameter('Invalid connectionKey');
    connectionId = session.id;
  }
  const stamped = raw.map((m, i) =>
    stampMessage(m, auth, ctx.limits, {
      id: `${base}:${i}`,
      connectionId,
      timestamp: now,
      channel: name,
    }),
  );
  const { result: serials, committed } = channel.publish(
    {
      connectionId,
      pmId: `${connectionId}:${base}`,
      timestamp: now,
      messages: stamped,
      clientSuppliedIds: raw.map((m) => m.id !== undefined),
    },
    now,
  );
  recordInbound(ctx, auth.app.record.id, 'rest', stamped, now);
  // On a persisted channel only what was stored is audited and pushed.
  const record = (): void => {
    ctx.audit.eventLog.record(auth.app.record.id, name, source, stamped);
    pushForChannelMessages(ctx, auth.app, name, stamped);
  };
  if (committed) committed.then(record, () => {});
  else record();
  const result = { channel: name, messageId: base, serials };
  return committed ? { result, committed } : { result };
}

/** Waits until a persisted write is stored; a write that could not be is a 50001 error. */
export async function stored(committed: Promise<void> | undefined): Promise<void> {
  if (!committed) return;
  try {
    await committed;
  } catch (err) {
    throw isErrorInfo(err) ? err : Errors.storeUnavailable();
  }
}
