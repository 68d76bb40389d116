import {
  Action,
  Errors,
  Flag,
  isErrorInfo,
  parseChannelName,
  permits,
  type ErrorInfo,
  type ErrorInfoShape,
} from '@switchboard/protocol';
import { handleAttach } from '../connection/attach.js';
import { discardSession, openSession } from '../connection/lifecycle.js';
import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';
import type { Transport } from '../session/transport.js';
import type { HeartbeatSettings } from './heartbeat-settings.js';
import {
  errorEvent,
  formatSseEvent,
  heartbeatEvent,
  type SseEvent,
  type SseFrame,
} from './sse-events.js';

/** What every stream of an engine shares. */
export interface SseShared {
  heartbeats: HeartbeatSettings;
  /** The frame behind encoded bytes, parsed once for all streams (createSseFrameCache). */
  frameOf(bytes: Buffer): SseFrame;
}

/** A `GET /sse` request as the host hands it over. */
export interface SseRequest {
  query: URLSearchParams;
  /** Lower-case header names (`authorization`, `last-event-id`). */
  headers: Record<string, string | undefined>;
}

/** Where the stream's text goes: the host's HTTP response, headers already sent. */
export interface SseSink {
  write(text: string): void;
  /** Ends the response after what is written; `abort` drops the socket at once. */
  end(abort: boolean): void;
  /** Bytes written but not yet sent. */
  bufferedBytes(): number;
}

/** What the host tells an open stream. */
export interface SseStream {
  /** The client went away. */
  clientClosed(): void;
}

/** Credentials from the query (`key`, `accessToken`) or a Basic Authorization header. */
function connectQuery(request: SseRequest): URLSearchParams {
  const query = new URLSearchParams();
  const key = request.query.get('key');
  const token = request.query.get('accessToken') ?? request.query.get('access_token');
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (key) query.set('key', key);
  else if (token) query.set('accessToken', token);
  else if (basic) query.set('key', Buffer.from(basic, 'base64').toString('utf8'));
  const clientId = request.query.get('clientId');
  if (clientId !== null) query.set('clientId', clientId);
  // Nothing else is passed on: `resume` or `recover` would let a stream take over a realtime
  // connection by its key.
  return query;
}

/** The channel names the request asks for (`channels` or `channel`, split by `separator`). */
function requestedChannels(query: URLSearchParams, max: number): string[] {
  const list = query.get('channels') ?? query.get('channel');
  if (list === null || list === '') throw Errors.badRequest('SSE needs a channels parameter');
  const separator = query.get('separator') || ',';
  const names = [...new Set(list.split(separator))];
  if (names.length > max) throw Errors.tooManyChannels(max);
  for (const raw of names) parseChannelName(raw);
  return names;
}

/** Where each channel resumes from: the `id` of the last event, one serial per channel. */
function resumePositions(request: SseRequest, channels: number): string[] | undefined {
  const lastEvent = request.query.get('lastEvent') ?? request.headers['last-event-id'];
  if (lastEvent === undefined || lastEvent === null || lastEvent === '') return undefined;
  const positions = lastEvent.split(',');
  if (positions.length !== channels)
    throw Errors.invalidParameter('lastEvent does not match the channels of this stream');
  return positions;
}

/**
 * Opens an SSE stream: a subscribe-only realtime session whose frames are written as events.
 * Authentication, capabilities, rewind, replay from a channel serial, connection stats, the
 * outbound buffer bound and token expiry are the session's; this adds the event format, the
 * resumable event ids and the heartbeats configured for the channels' types.
 */
export function openSseStream(
  ctx: EngineContext,
  shared: SseShared,
  request: SseRequest,
  sink: SseSink,
): SseStream {
  const enveloped = request.query.get('enveloped') !== 'false';
  const channelIndex = new Map<string, number>();
  // Per channel, the serial of the last event the client has: what the next event id carries.
  let positions: string[] = [];
  // Set once the session opens; `finish` may run before that (refused credentials).
  const opened: { session?: Session } = {};
  let ended = false;
  let timer: NodeJS.Timeout | undefined;

  const write = (e: SseEvent): void => {
    if (!ended) sink.write(formatSseEvent(e));
  };
  const finish = (reason: string, abort = false): void => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    sink.end(abort);
    const s = opened.session;
    if (s) {
      s.transport = undefined;
      // A stream is not resumed by its connection key but by its event ids: nothing to keep.
      discardSession(ctx, s, reason);
    }
  };
  const fail = (error: ErrorInfo | ErrorInfoShape, stalled = false): void => {
    write(errorEvent('toJSON' in error ? error.toJSON() : error));
    // A client that stopped reading would hold the socket open behind its unread bytes: drop it.
    const abort = stalled || sink.bufferedBytes() > ctx.limits.maxOutboundBufferBytes;
    finish(`SSE error ${error.code}`, abort);
  };

  const onMessage = (frame: SseFrame, index: number): void => {
    for (const m of frame.messages) {
      if (m.completes !== undefined) positions[index] = m.completes;
      const data = enveloped ? m.enveloped : m.raw;
      write(m.completes !== undefined ? { id: positions.join(','), data } : { data });
    }
  };
  const onFrame = (frame: SseFrame): void => {
    const { pm } = frame;
    const index = pm.channel === undefined ? undefined : channelIndex.get(pm.channel);
    switch (pm.action) {
      case Action.MESSAGE:
        if (index !== undefined) onMessage(frame, index);
        return;
      case Action.ATTACHED:
        if (index !== undefined && pm.channelSerial) positions[index] = pm.channelSerial;
        return;
      case Action.ERROR:
      case Action.DISCONNECTED:
        fail(pm.error ?? Errors.connectionClosed().toJSON());
        return;
      default:
      // CONNECTED, presence and heartbeats are not part of a subscribe-only stream.
    }
  };

  const transport: Transport = {
    format: 'json',
    kind: 'sse',
    send(bytes) {
      if (!ended) onFrame(shared.frameOf(bytes));
    },
    ping() {},
    close(abort) {
      finish('SSE stream closed by the server', abort === true);
    },
    bufferedBytes: () => sink.bufferedBytes(),
  };

  if (ctx.draining) {
    fail(Errors.serverDraining());
    return { clientClosed() {} };
  }
  const session = openSession(ctx, transport, connectQuery(request));
  if (!session || ended) return { clientClosed: () => finish('SSE stream closed by client') };
  opened.session = session;

  let names: string[];
  let resumeFrom: string[] | undefined;
  try {
    names = requestedChannels(request.query, ctx.limits.maxSseChannels);
    resumeFrom = resumePositions(request, names.length);
    for (const raw of names) {
      const { name } = parseChannelName(raw);
      if (!permits(session.auth.capability, name, 'subscribe'))
        throw Errors.capabilityDenied('subscribe', name);
    }
  } catch (err) {
    fail(isErrorInfo(err) ? err : Errors.badRequest('Invalid SSE request'));
    return { clientClosed() {} };
  }
  positions = resumeFrom ?? names.map(() => '');
  names.forEach((name, i) => channelIndex.set(name, i));
  const rewind = request.query.get('rewind');
  for (const [i, name] of names.entries()) {
    if (ended) break;
    const from = positions[i];
    handleAttach(ctx, session, {
      action: Action.ATTACH,
      channel: name,
      flags: Flag.SUBSCRIBE,
      ...(from ? { channelSerial: from } : rewind !== null ? { params: { rewind } } : {}),
    });
  }
  if (ended) return { clientClosed() {} };

  shared.heartbeats
    .forChannels(names.map((n) => parseChannelName(n).name))
    .then(({ intervalMs, timeoutMs }) => {
      if (ended) return;
      let stuckSince: number | undefined;
      timer = setInterval(() => {
        const now = ctx.clock.now();
        // A client that has taken none of our bytes for a whole timeout is gone or stalled.
        if (sink.bufferedBytes() > 0) {
          stuckSince ??= now;
          if (now - stuckSince >= timeoutMs) {
            fail(Errors.outboundQueueOverflow(ctx.limits.maxOutboundBufferBytes), true);
            return;
          }
        } else stuckSince = undefined;
        write(heartbeatEvent(now));
        session.lastSentAt = now;
        ctx.audit.connectionStats.heartbeat(session, now);
      }, intervalMs);
      timer.unref();
    })
    .catch((err: unknown) => {
      ctx.logger.warn('reading heartbeat_config failed', { error: String(err) });
      fail(Errors.internalError());
    });
  return { clientClosed: () => finish('SSE stream closed by client') };
}
