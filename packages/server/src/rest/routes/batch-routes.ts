import {
  Errors,
  isErrorInfo,
  parseChannelName,
  parseMessage,
  permits,
} from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { publishToChannel, stored } from '../publish-core.js';
import { REAUTH_MARGIN_MS } from '../../auth/revocations.js';
import { restAuth } from '../rest-auth.js';
import { requireNamespaceRules } from '../../auth/channel-access.js';

type Obj = Record<string, unknown>;

/** Per-item outcome: the result, or the error that stopped it (BatchResult members, BAR2). */
function attempt<T extends Obj>(
  channel: string,
  run: () => T,
): T | { channel: string; error: object } {
  try {
    return run();
  } catch (err) {
    return { channel, error: (isErrorInfo(err) ? err : Errors.internalError()).toJSON() };
  }
}

/** Like `attempt`, for a publish that answers once stored: a failed store is that item's error. */
async function attemptStored<T extends Obj>(
  channel: string,
  run: () => { outcome: T; committed?: Promise<void> | undefined },
): Promise<T | { channel: string; error: object }> {
  try {
    const { outcome, committed } = run();
    await stored(committed);
    return outcome;
  } catch (err) {
    return { channel, error: (isErrorInfo(err) ? err : Errors.internalError()).toJSON() };
  }
}

function batchResult<T extends Obj>(results: T[]): Obj {
  const failureCount = results.filter((r) => 'error' in r).length;
  return { successCount: results.length - failureCount, failureCount, results };
}

/**
 * POST /messages (RSC22 batchPublish): one spec or an array of `{channels, messages}`. Protocol
 * versions before 3 get the flat per-channel array `rest.request` callers expect.
 */
export async function batchPublishRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const body = decodeBody(req);
  const specs = (Array.isArray(body) ? body : [body]) as Obj[];
  // The whole request is bounded before any of it is applied: one request, bounded work.
  const channelCount = specs.reduce(
    (n, spec) => n + (spec && Array.isArray(spec.channels) ? spec.channels.length : 0),
    0,
  );
  if (channelCount > ctx.limits.maxBatchChannels) {
    throw Errors.tooManyChannelsInRequest(ctx.limits.maxBatchChannels);
  }
  // Names are text: String() of a deeply nested array recursed to a stack overflow and a 500
  // (found by `npm run fuzz`), and of anything else made up a name no client sent.
  for (const spec of specs)
    if (spec && Array.isArray(spec.channels) && spec.channels.some((c) => typeof c !== 'string'))
      throw Errors.badRequest('Batch channels must be strings');
  const perSpec = await Promise.all(
    specs.map((spec) => {
      if (!spec || !Array.isArray(spec.channels))
        throw Errors.badRequest('Each batch spec needs channels');
      const list = Array.isArray(spec.messages) ? spec.messages : [spec.messages];
      const messages = list.map(parseMessage);
      return Promise.all(
        (spec.channels as string[]).map((channel) =>
          attemptStored(channel, () => {
            const { result, committed } = publishToChannel(ctx, auth, channel, messages, 'batch');
            return {
              outcome: {
                channel: result.channel,
                messageId: result.messageId,
                serials: result.serials,
              },
              committed,
            };
          }),
        ),
      );
    }),
  );
  const version = Number(req.headers['x-ably-version'] ?? 6);
  if (version < 3) return respond(req, 201, perSpec.flat());
  return respond(req, 201, perSpec.map(batchResult));
}

/** GET /presence?channels=a,b (RSC24 batchPresence). */
export function batchPresenceRoute(ctx: EngineContext, req: RestRequest): RestResponse {
  const auth = restAuth(ctx, req);
  const names = (req.query.get('channels') ?? '').split(',').filter(Boolean);
  if (names.length > ctx.limits.maxBatchChannels) {
    throw Errors.tooManyChannelsInRequest(ctx.limits.maxBatchChannels);
  }
  const results = names.map((raw) =>
    attempt(raw, () => {
      const { name } = parseChannelName(raw);
      requireNamespaceRules(ctx.apps, auth, name);
      if (
        !permits(auth.capability, name, 'subscribe') &&
        !permits(auth.capability, name, 'presence')
      ) {
        throw Errors.capabilityDenied('presence', name);
      }
      return {
        channel: name,
        presence: ctx.channels.peek(auth.app.record.id, name)?.presence.members() ?? [],
      };
    }),
  );
  return respond(req, 200, batchResult(results));
}

/**
 * POST /keys/{keyName}/revokeTokens (RSA17): revoke by `clientId:<id>` targets; live connections
 * on revoked tokens are DISCONNECTED with 40141. Answers once every revocation is in the store.
 */
export async function revokeTokensRoute(
  ctx: EngineContext,
  req: RestRequest,
  keyName: string,
  disconnectRevoked: (keyName: string, clientId: string, issuedBefore: number) => void,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  if (auth.method !== 'basic' || auth.key.keyName !== keyName) {
    throw Errors.invalidCredentials('Revoking tokens needs Basic auth with the same key');
  }
  if (!auth.key.revocableTokens)
    throw Errors.badRequest('Token revocation is not enabled for this key');
  const body = (decodeBody(req) ?? {}) as Obj;
  const now = ctx.clock.now();
  // msgpack can carry NaN and infinities, which no stored revocation may hold.
  if (typeof body.issuedBefore === 'number' && !Number.isFinite(body.issuedBefore)) {
    throw Errors.badRequest('issuedBefore must be a finite number of milliseconds');
  }
  const issuedBefore =
    typeof body.issuedBefore === 'number' ? Math.min(body.issuedBefore, now) : now;
  const writes: Promise<void>[] = [];
  const appliesAt = body.allowReauthMargin === true ? now + REAUTH_MARGIN_MS : now;
  const targets = Array.isArray(body.targets) ? body.targets.map(String) : [];
  const results = targets.map((target) => {
    const colon = target.indexOf(':');
    const type = target.slice(0, colon);
    const value = target.slice(colon + 1);
    if (type !== 'clientId' || value === '') {
      return {
        target,
        error: Errors.badRequest(`Unsupported revocation target: ${target}`).toJSON(),
      };
    }
    writes.push(ctx.revocations.revoke(keyName, value, issuedBefore, appliesAt));
    if (appliesAt <= now) disconnectRevoked(keyName, value, issuedBefore);
    else ctx.clock.setTimer(() => disconnectRevoked(keyName, value, issuedBefore), appliesAt - now);
    return { target, issuedBefore, appliesAt };
  });
  // A revocation the client was told about must survive a restart.
  await Promise.all(writes);
  return respond(req, 201, batchResult(results));
}
