import type { ServerResponse } from 'node:http';
import { Action } from '@switchboard/protocol';
import { encodeMsgpack } from '@switchboard/protocol/msgpack';
import type { ConnectionHandle, Logger, Transport, WireFormat } from '@switchboard/server';

/** What a comet transport needs from its routes. */
export interface CometTransportOptions {
  format: WireFormat;
  /**
   * Whether recv responses stream (newline-delimited JSON, held open) or answer one batch and
   * end (long-poll). Fixed at connect: the client's recv requests do not repeat it.
   */
  streaming: boolean;
  /** A transport with no recv request in flight for this long counts as dropped. */
  pollTimeoutMs: number;
  /** Headers every response carries (CORS). */
  headers: Record<string, string>;
  /** Called once when the transport is done with, so its routes forget its key. */
  onFinished(transport: CometTransport): void;
  /** Where a failure of the engine's close handler (run from a timer or a socket event) goes. */
  logger: Logger;
}

/**
 * The engine's Transport over HTTP requests: frames wait in a queue until the client's recv
 * request (or the connect request, which is the first recv) takes them.
 */
export interface CometTransport extends Transport {
  readonly streaming: boolean;
  /** Set by the routes once the engine has answered the connect. */
  handle: ConnectionHandle | undefined;
  /** The engine closed it, or the client went away: it takes no more frames from the client. */
  readonly closed: boolean;
  /** Takes a recv (or connect) request's response; one still held is answered empty first. */
  attachRecv(res: ServerResponse): void;
  /** The client went away (an abandoned recv, `/disconnect`, no recv for too long). */
  lose(): void;
}

const OPEN = Buffer.from('[');
const CLOSE_LINE = Buffer.from(']\n');
/** A line of the stream: ably-js reads each line as an array of ProtocolMessages. */
const line = (frame: Buffer): Buffer => Buffer.concat([OPEN, frame, CLOSE_LINE]);
const heartbeat: Record<WireFormat, Buffer> = {
  json: Buffer.from(JSON.stringify({ action: Action.HEARTBEAT })),
  msgpack: encodeMsgpack({ action: Action.HEARTBEAT }),
};

/** One recv response body: the queued frames as a JSON or msgpack array, each encoded once. */
function batchBody(frames: Buffer[], format: WireFormat): Buffer {
  if (format === 'json') {
    const parts: Buffer[] = [Buffer.from('[')];
    frames.forEach((f, i) => parts.push(i === 0 ? f : Buffer.concat([Buffer.from(','), f])));
    parts.push(Buffer.from(']'));
    return Buffer.concat(parts);
  }
  // A msgpack array is its length header followed by its items' own encodings.
  const n = frames.length;
  let header: Buffer;
  if (n < 16) header = Buffer.from([0x90 | n]);
  else if (n < 0x10000) {
    header = Buffer.alloc(3);
    header[0] = 0xdc;
    header.writeUInt16BE(n, 1);
  } else {
    header = Buffer.alloc(5);
    header[0] = 0xdd;
    header.writeUInt32BE(n, 1);
  }
  return Buffer.concat([header, ...frames]);
}

/**
 * How long an abandoned recv leaves the transport up: ably-js closing a connection sends
 * `/close` and aborts its recv at the same moment, and the CLOSE must still find the connection
 * (members leave at once) rather than a dropped transport (members leave after the grace).
 */
const ABANDONED_RECV_GRACE_MS = 1000;

const contentType = (format: WireFormat): string =>
  format === 'json' ? 'application/json' : 'application/x-msgpack';

/** Creates a comet transport; the routes attach the connect request's response to it next. */
export function createCometTransport(options: CometTransportOptions): CometTransport {
  const { format, streaming } = options;
  let queue: Buffer[] = [];
  let queued = 0;
  let recv: ServerResponse | undefined;
  let flushScheduled = false;
  let finished = false;
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;

  const clearQueue = (): void => {
    queue = [];
    queued = 0;
  };

  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(pollTimer);
    clearQueue();
    options.onFinished(transport);
  };

  // Between recv requests the client is expected back at once; if it is not, it is gone.
  const armPollTimer = (ms = options.pollTimeoutMs): void => {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(() => (closed ? finish() : transport.lose()), ms);
    pollTimer.unref();
  };

  /** Ends the held long-poll with everything queued (an empty array when nothing is). */
  const answerPoll = (res: ServerResponse): void => {
    recv = undefined;
    const body = batchBody(queue, format);
    clearQueue();
    res.writeHead(200, {
      ...options.headers,
      'content-type': contentType(format),
      'content-length': String(body.length),
      'cache-control': 'no-store',
    });
    res.end(body);
    if (closed) finish();
    else armPollTimer();
  };

  const flushPoll = (): void => {
    flushScheduled = false;
    if (recv && queue.length > 0) answerPoll(recv);
  };

  const transport: CometTransport = {
    format,
    kind: 'comet',
    streaming,
    handle: undefined,
    get closed() {
      return closed;
    },
    send(bytes) {
      if (closed) return;
      if (recv && streaming) {
        recv.write(line(bytes));
        return;
      }
      queue.push(bytes);
      queued += bytes.length;
      // Frames sent in the same turn (a fan-out, ACKs) leave in one poll response.
      if (recv && !flushScheduled) {
        flushScheduled = true;
        setImmediate(flushPoll);
      }
    },
    ping() {
      transport.send(heartbeat[format]);
    },
    close(abort) {
      if (closed) return;
      closed = true;
      // The engine sends its reason (DISCONNECTED, ERROR, CLOSED) just before closing; an abort
      // (a slow consumer) drops the backlog in front of it.
      if (abort && queue.length > 1) {
        const last = queue[queue.length - 1]!;
        queue = [last];
        queued = last.length;
      }
      if (recv) {
        if (streaming) {
          if (abort) recv.destroy();
          else recv.end();
          recv = undefined;
          finish();
        } else answerPoll(recv);
      } else if (queue.length === 0) finish();
      // Otherwise the last frames wait for one more recv, or for the poll timeout.
      else armPollTimer();
    },
    bufferedBytes: () => queued + (recv?.writableLength ?? 0),
    attachRecv(res) {
      const previous = recv;
      if (previous) {
        if (streaming) {
          recv = undefined;
          previous.end();
        } else answerPoll(previous);
      }
      // After answering the previous recv, which arms the timer again.
      clearTimeout(pollTimer);
      recv = res;
      res.on('close', () => {
        // Closed before we answered: the client abandoned the request, and with it (unless a
        // recv or a CLOSE follows at once) the transport.
        if (recv !== res || res.writableFinished) return;
        recv = undefined;
        armPollTimer(Math.min(ABANDONED_RECV_GRACE_MS, options.pollTimeoutMs));
      });
      if (!streaming) {
        if (queue.length > 0 || closed) answerPoll(res);
        return;
      }
      res.writeHead(200, {
        ...options.headers,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      });
      const backlog = queue;
      clearQueue();
      for (const frame of backlog) res.write(line(frame));
      if (closed) {
        recv = undefined;
        res.end();
        finish();
      } else res.flushHeaders();
    },
    lose() {
      if (closed) {
        finish();
        return;
      }
      closed = true;
      const res = recv;
      recv = undefined;
      if (res && !res.writableFinished) res.destroy();
      finish();
      // Runs from timers and socket events: whatever the engine throws must stop here.
      try {
        transport.handle?.transportClosed();
      } catch (err) {
        options.logger.error('comet transport close handler failed', { error: String(err) });
      }
    },
  };
  armPollTimer();
  return transport;
}
