import { Errors, parseChannelName, parseMessage } from '@switchboard/protocol';
import { requireChannelAccess } from '../../auth/channel-access.js';
import { applyMessageOperation, isOperation } from '../../connection/message-operation.js';
import type { EngineContext } from '../../context.js';
import { randomId } from '../../ids.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { restAuth } from '../rest-auth.js';
import { stored } from '../publish-core.js';
import { latestMessageOf, withSummaries } from '../../channels/annotation-reads.js';
import { readableChannel } from '../../channels/readable-channel.js';

/** GET /channels/{ch}/messages/{serial} (RSL11): the latest version of one message. */
export async function getMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  const appId = auth.app.record.id;
  // A persisted channel's message is found in the store too (after a restart, or older than memory).
  const message = await latestMessageOf(ctx, appId, name, serial);
  if (!message) throw Errors.notFound(`No message with serial ${serial}`);
  // The message as it stands, with its latest annotation summary (TM2u).
  const [shown] = await withSummaries(ctx, appId, name, [message]);
  return respond(req, 200, shown);
}

/** GET /channels/{ch}/messages/{serial}/versions (RSL14): every version, oldest first. */
export async function messageVersionsRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  const channel = await readableChannel(ctx, auth.app.record.id, name);
  const versions = channel?.allVersions(serial) ?? [];
  if (versions.length === 0) throw Errors.notFound(`No message with serial ${serial}`);
  const ordered = req.query.get('direction') === 'backwards' ? [...versions].reverse() : versions;
  return respond(req, 200, ordered, { link: linkHeader('versions', req.query, undefined) });
}

/** PATCH /channels/{ch}/messages/{serial} (RSL15): update, delete or append; answers the version serial. */
export async function patchMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  ch: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = parseChannelName(ch);
  const operation = parseMessage(decodeBody(req));
  if (!isOperation(operation))
    throw Errors.badRequest('PATCH needs action update, delete or append');
  const connectionId = `rest${randomId(4)}`;
  const { result: versionSerial, committed } = await applyMessageOperation(
    ctx,
    auth,
    name,
    { ...operation, serial },
    { connectionId, pmId: `${connectionId}:${randomId(6)}`, timestamp: ctx.clock.now() },
  );
  await stored(committed);
  return respond(req, 200, { versionSerial });
}
