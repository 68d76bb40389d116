import { Errors, permitsAppWide } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { notify } from '../../notify/notify.js';
import { parseNotifyRequest } from '../../notify/notify-request.js';
import { decodeBody, respond, respondError } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';
import { parseNotificationCursor } from '../../ports/notification-store.js';
import { pageLimit } from './push-paging.js';

/**
 * POST /notify: `{ channel, presenceChannel?, recipientClientId, event, data?, kind? }`. Answers
 * `{ delivered, reason, devices }`; a nudge over the limit is a 429 whose body and `Retry-After`
 * say when the next is allowed.
 */
export async function notifyRoute(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const request = parseNotifyRequest(decodeBody(req));
  const result = await notify(ctx, auth, request);
  if (result.status === 'limited') {
    const waitS = Math.max(1, Math.ceil((result.nextAllowedAt - ctx.clock.now()) / 1000));
    return respondError(
      req,
      Errors.nudgeLimited(result.nextAllowedAt),
      { nextAllowedAt: result.nextAllowedAt, reason: result.reason },
      { 'retry-after': String(waitS) },
    );
  }
  const { status: _status, ...answer } = result;
  return respond(req, 200, answer);
}

/** A time filter: epoch milliseconds or an ISO 8601 date; else 40003 naming it. */
function parseSince(raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw Errors.invalidParameter(`Invalid since: ${raw}`);
  return n;
}

/**
 * GET /notifications: the notification log, newest first; filters `recipient`, `sender`,
 * `since`; `limit` and Link paging. The log names who was notified of what across the whole
 * app, so it needs `push-admin` on every channel, as reading the app's devices does.
 */
export async function notificationsRoute(
  ctx: EngineContext,
  req: RestRequest,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  if (!permitsAppWide(auth.capability, 'push-admin'))
    throw Errors.capabilityDenied('push-admin', '*');
  const recipient = req.query.get('recipient') ?? undefined;
  const sender = req.query.get('sender') ?? undefined;
  const since = parseSince(req.query.get('since'));
  const cursor = req.query.get('cursor') ?? undefined;
  if (cursor !== undefined && parseNotificationCursor(cursor) === undefined)
    throw Errors.invalidParameter('Invalid cursor');
  const page = await ctx.notificationLog.listNotifications({
    appId: auth.app.record.id,
    limit: pageLimit(req, ctx.limits.maxHistoryLimit),
    ...(recipient ? { recipientClientId: recipient } : {}),
    ...(sender ? { senderClientId: sender } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  });
  return respond(req, 200, page.items, {
    link: linkHeader('notifications', req.query, page.next),
  });
}
