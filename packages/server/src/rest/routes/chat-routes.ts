import {
  AnnotationAction,
  Errors,
  MessageAction,
  parseChannelName,
  permits,
  type Message,
} from '@switchboard/protocol';
import type { AuthContext } from '../../auth/authenticate.js';
import { requireChannelAccess, requireNamespaceRules } from '../../auth/channel-access.js';
import type { Channel } from '../../channels/channel.js';
import { channelDetails } from '../../channels/channel-details.js';
import { CHAT_CHANNEL_SUFFIX } from '../../channels/mutable-rule.js';
import {
  REACTION_TYPES,
  chatChannelMessage,
  clientReactions,
  parseChatContent,
  parseOperationDetails,
  reactionType,
  toChatMessage,
} from '../../chat/chat-message.js';
import { applyAnnotation } from '../../connection/annotation-operation.js';
import { applyMessageOperation } from '../../connection/message-operation.js';
import type { EngineContext } from '../../context.js';
import { randomId } from '../../ids.js';
import { decodeBody, respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';
import { linkHeader } from '../paging.js';
import { publishToChannel, stored } from '../publish-core.js';
import { restAuth } from '../rest-auth.js';
import { latestMessageOf, summaryOf, withSummaries } from '../../channels/annotation-reads.js';
import { historyPage } from './channel-routes.js';

/**
 * The Chat REST API v4 (`/chat/v4/rooms/{room}/…`) that the official Chat SDK calls through
 * `request()`: a room `R` is the channel `R::$chat`, and every route checks the caller's
 * capability on that channel (a capability naming the bare room covers it).
 */

/** The room's channel name, validated as a channel name (40010 otherwise). */
function roomChannel(room: string): string {
  return parseChannelName(`${room}${CHAT_CHANNEL_SUFFIX}`).name;
}

/** A REST write's publisher identity: a fresh pseudo-connection per request. */
function restPublication(ctx: EngineContext): {
  connectionId: string;
  pmId: string;
  timestamp: number;
} {
  const connectionId = `rest${randomId(4)}`;
  return { connectionId, pmId: `${connectionId}:${randomId(6)}`, timestamp: ctx.clock.now() };
}

/** The room's channel for a read, with `history` checked; undefined when the room never existed. */
function readableRoom(
  ctx: EngineContext,
  auth: AuthContext,
  room: string,
): { name: string; channel: Channel | undefined } {
  const name = roomChannel(room);
  requireChannelAccess(ctx.apps, auth, name, 'history');
  return { name, channel: ctx.channels.peek(auth.app.record.id, name) };
}

/** A message as the Chat API answers it, with its reactions summary. */
function chatMessageOf(channel: Channel | undefined, message: Message): Record<string, unknown> {
  const summary =
    message.annotations?.summary ??
    (message.serial ? channel?.annotations.summary(message.serial) : undefined);
  return toChatMessage(message, summary);
}

/** The latest version of a message, or 40400. */
function latestOrNotFound(channel: Channel | undefined, serial: string): Message {
  const message = channel?.latestVersion(serial);
  if (!message) throw Errors.notFound(`No message with serial ${serial}`);
  return message;
}

/** POST /chat/v4/rooms/{room}/messages: sends a message; `idempotencyKey` makes a retry a no-op. */
export async function sendChatMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const name = roomChannel(room);
  const message = chatChannelMessage(parseChatContent(decodeBody(req)));
  const key = req.query.get('idempotencyKey');
  if (key) message.id = key;
  const { result, committed } = publishToChannel(ctx, auth, name, [message]);
  await stored(committed);
  const channel = ctx.channels.peek(auth.app.record.id, name);
  // A repeated key was not published again: answer with the message it first made.
  const serial =
    result.serials[0] ??
    channel
      ?.latestEntries()
      .flatMap((e) => e.messages)
      .find((m) => m.id === key)?.serial;
  if (!serial) throw Errors.notFound('The message sent with this idempotencyKey is gone');
  return respond(req, 201, chatMessageOf(channel, latestOrNotFound(channel, serial)));
}

/**
 * GET /chat/v4/rooms/{room}/messages: history, newest first unless `direction=forwards`, Link
 * paging; `fromSerial` (historyBeforeSubscribe) keeps only what was published up to that point.
 */
export async function chatHistoryRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const name = roomChannel(room);
  const query = new URLSearchParams(req.query);
  const fromSerial = query.get('fromSerial');
  query.delete('fromSerial');
  if (fromSerial) query.set('from_serial', fromSerial);
  const page = await historyPage(ctx, { ...req, query }, name, 'message');
  const channel = ctx.channels.peek(auth.app.record.id, name);
  const items = (page.items as Message[]).map((m) => chatMessageOf(channel, m));
  return respond(req, 200, items, { link: linkHeader('messages', req.query, page.next) });
}

/** GET /chat/v4/rooms/{room}/messages/{serial}: the message as it stands now; 40400 if unknown. */
export async function getChatMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = readableRoom(ctx, auth, room);
  const appId = auth.app.record.id;
  // A persisted room's message is found in the store too, with its stored summary.
  const message = await latestMessageOf(ctx, appId, name, serial);
  if (!message) throw Errors.notFound(`No message with serial ${serial}`);
  const [shown] = await withSummaries(ctx, appId, name, [message]);
  return respond(req, 200, chatMessageOf(undefined, shown!));
}

/** GET /chat/v4/rooms/{room}/messages/{serial}/versions: every version, oldest first. */
export function chatMessageVersionsRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): RestResponse {
  const { channel } = readableRoom(ctx, restAuth(ctx, req), room);
  const versions = channel?.allVersions(serial) ?? [];
  if (versions.length === 0) throw Errors.notFound(`No message with serial ${serial}`);
  const summary = channel?.annotations.summary(serial);
  return respond(
    req,
    200,
    versions.map((v) => toChatMessage(v, summary)),
    { link: linkHeader('versions', req.query, undefined) },
  );
}

/** Applies an update or delete to a room message and answers the message as it now stands. */
async function changeMessage(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  operation: Message,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const name = roomChannel(room);
  const { committed } = await applyMessageOperation(
    ctx,
    auth,
    name,
    operation,
    restPublication(ctx),
  );
  await stored(committed);
  const channel = ctx.channels.peek(auth.app.record.id, name);
  return respond(req, 200, chatMessageOf(channel, latestOrNotFound(channel, operation.serial!)));
}

/** PUT /chat/v4/rooms/{room}/messages/{serial}: replaces text, metadata and headers. */
export function updateChatMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const body = decodeBody(req) as { message?: unknown; description?: unknown; metadata?: unknown };
  if (typeof body !== 'object' || body === null) throw Errors.invalidParameter('Invalid body');
  const content = parseChatContent(body.message);
  const version = parseOperationDetails({ description: body.description, metadata: body.metadata });
  return changeMessage(ctx, req, room, {
    ...chatChannelMessage(content),
    action: MessageAction.UPDATE,
    serial,
    version,
  });
}

/** POST /chat/v4/rooms/{room}/messages/{serial}/delete: kept in history, text and metadata emptied. */
export function deleteChatMessageRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const version = parseOperationDetails(decodeBody(req));
  return changeMessage(ctx, req, room, {
    ...chatChannelMessage({ text: '', metadata: {}, headers: {} }),
    action: MessageAction.DELETE,
    serial,
    version,
  });
}

/** POST /chat/v4/rooms/{room}/messages/{serial}/reactions: `{type, name, count?}` as an annotation. */
export async function addReactionRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const body = decodeBody(req) as { type?: unknown; name?: unknown; count?: unknown };
  if (typeof body !== 'object' || body === null) throw Errors.invalidParameter('Invalid body');
  const type = reactionType(body.type);
  if (typeof body.name !== 'string' || body.name === '')
    throw Errors.invalidParameter('A reaction needs a name');
  if (body.count !== undefined && (type !== 'multiple' || !Number.isSafeInteger(body.count)))
    throw Errors.invalidParameter('count is a whole number, for multiple reactions only');
  const { committed } = await applyAnnotation(
    ctx,
    auth,
    roomChannel(room),
    {
      action: AnnotationAction.CREATE,
      type: REACTION_TYPES[type],
      name: body.name,
      messageSerial: serial,
      ...(body.count !== undefined ? { count: body.count as number } : {}),
    },
    restPublication(ctx),
  );
  await stored(committed);
  return respond(req, 201, {});
}

/** DELETE /chat/v4/rooms/{room}/messages/{serial}/reactions?type=&name=: `name` is not needed for unique. */
export async function removeReactionRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const type = reactionType(req.query.get('type'));
  const name = req.query.get('name') ?? undefined;
  if (type !== 'unique' && !name) throw Errors.invalidParameter('A reaction needs a name');
  const { committed } = await applyAnnotation(
    ctx,
    auth,
    roomChannel(room),
    {
      action: AnnotationAction.DELETE,
      type: REACTION_TYPES[type],
      messageSerial: serial,
      ...(name ? { name } : {}),
    },
    restPublication(ctx),
  );
  await stored(committed);
  return respond(req, 200, {});
}

/** GET /chat/v4/rooms/{room}/messages/{serial}/client-reactions: one client's reactions (default: the caller). */
export async function clientReactionsRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
  serial: string,
): Promise<RestResponse> {
  const auth = restAuth(ctx, req);
  const { name } = readableRoom(ctx, auth, room);
  const appId = auth.app.record.id;
  if (!(await latestMessageOf(ctx, appId, name, serial)))
    throw Errors.notFound(`No message with serial ${serial}`);
  const clientId = req.query.get('forClientId') ?? auth.clientId;
  if (!clientId) throw Errors.invalidParameter('forClientId is needed without a clientId');
  return respond(req, 200, clientReactions(await summaryOf(ctx, appId, name, serial), clientId));
}

/** GET /chat/v4/rooms/{room}/occupancy: `{connections, presenceMembers}`; needs channel-metadata or subscribe. */
export function roomOccupancyRoute(
  ctx: EngineContext,
  req: RestRequest,
  room: string,
): RestResponse {
  const auth = restAuth(ctx, req);
  const name = roomChannel(room);
  requireNamespaceRules(ctx.apps, auth, name);
  if (
    !permits(auth.capability, name, 'channel-metadata') &&
    !permits(auth.capability, name, 'subscribe')
  )
    throw Errors.capabilityDenied('channel-metadata', name);
  const { metrics } = channelDetails(name, ctx.channels.peek(auth.app.record.id, name)).status
    .occupancy;
  return respond(req, 200, {
    connections: metrics.connections,
    presenceMembers: metrics.presenceMembers,
  });
}
