import { Errors, parseChannelName, parseMessage } from '@switchboard/protocol';
import { requireChannelAccess } from '../../auth/channel-access.js';
import { applyMessageOperation, isOperation } from '../../connection/message-operation.js';
import type { EngineContext } from '../../context.js';
import { randomId } from '../../ids.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';

function lookup(ctx: EngineContext, req: RestRequest, ch: string) {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(decodeURIComponent(ch));
  return { auth, name };
}

/** GET /channels/{ch}/messages/{serial} (RSL11): the latest version of one message. */
export function getMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): RestResponse {
  const { auth, name } = lookup(ctx, req, ch);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  const message = ctx.channels
    .peek(auth.app.record.id, name)
    ?.latestVersion(decodeURIComponent(serial));
  if (!message) throw Errors.notFound(`No message with serial ${decodeURIComponent(serial)}`);
  return respond(req, 200, message);
}

/** GET /channels/{ch}/messages/{serial}/versions (RSL14): every version, oldest first. */
export function messageVersionsRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): RestResponse {
  const { auth, name } = lookup(ctx, req, ch);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  const versions =
    ctx.channels.peek(auth.app.record.id, name)?.allVersions(decodeURIComponent(serial)) ?? [];
  if (versions.length === 0)
    throw Errors.notFound(`No message with serial ${decodeURIComponent(serial)}`);
  const ordered = req.query.get('direction') === 'backwards' ? [...versions].reverse() : versions;
  return respond(req, 200, ordered, { link: linkHeader('versions', req.query, undefined) });
}

/** PATCH /channels/{ch}/messages/{serial} (RSL15): update, delete or append; answers the version serial. */
export function patchMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): RestResponse {
  const { auth, name } = lookup(ctx, req, ch);
  const operation = parseMessage(decodeBody(req));
  if (!isOperation(operation))
    throw Errors.badRequest('PATCH needs action update, delete or append');
  const connectionId = `rest${randomId(4)}`;
  const versionSerial = applyMessageOperation(
    ctx,
    auth,
    name,
    { ...operation, serial: decodeURIComponent(serial) },
    { connectionId, pmId: `${connectionId}:${randomId(6)}`, timestamp: ctx.clock.now() },
  );
  return respond(req, 200, { versionSerial });
}
