import type { IncomingMessage, ServerResponse } from 'node:http';
import { Action, Errors, type ErrorInfo } from '@switchboard/protocol';
import { decodeMsgpack, encodeMsgpack } from '@switchboard/protocol/msgpack';
import type { Engine, Logger, WireFormat } from '@switchboard/server';
import { createCometTransport, type CometTransport } from './comet-transport.js';
import { corsHeaders } from './rest-handler.js';
import { parseRequestTarget, pathForLog } from './request-target.js';

/**
 * The comet transport's routes, as ably-js speaks them (its `comet` transport in Node and
 * `xhr_polling` in browsers): `GET /comet/connect?<connect params>` is the first recv, then
 * `/comet/{connectionKey}/send` (POST, an array of ProtocolMessages), `/recv`, `/close` and
 * `/disconnect`.
 */
export interface CometRoutes {
  /** Serves a comet request; false (and nothing done) when the request is not one. */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
  /** Forgets every comet transport (the host is closing). */
  close(): void;
}

/** Our connection keys, `<id>!<secret>`, both parts base64url letters and digits. */
const CONNECTION_KEY = /^[A-Za-z0-9]{1,64}![A-Za-z0-9]{1,64}$/;
const KEYED_ROUTE = /^\/comet\/([^/]{1,200})\/(send|recv|close|disconnect)$/;

/**
 * A send body may batch the frames a client queued while its previous send was in flight, so it
 * may be larger than one frame; each frame is still held to maxFrameSize by the engine.
 */
const SEND_BODY_FRAMES = 4;

/** Reads a body up to `limit` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers with one ProtocolMessage carrying `error`, as an array: ably-js reads an array body as
 * protocol messages whatever the status (DISCONNECTED makes it resume, ERROR makes it fail).
 */
function answerError(
  res: ServerResponse,
  headers: Record<string, string>,
  action: number,
  error: ErrorInfo,
): void {
  const body = JSON.stringify([{ action, error: error.toJSON() }]);
  res.writeHead(error.statusCode, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-ably-errorcode': String(error.code),
    'x-ably-errormessage': error.message,
  });
  res.end(body);
}

function answerNoContent(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(204, headers);
  res.end();
}

/**
 * The frames of a send body, each encoded on its own in the connection's format, as the engine
 * takes them from a WebSocket. A body that is not an array goes to the engine as one frame, so
 * what cannot be parsed is refused exactly as over a WebSocket (ERROR 40000).
 */
function framesOf(body: Buffer, bodyFormat: WireFormat, format: WireFormat): (Buffer | string)[] {
  let items: unknown;
  try {
    items = bodyFormat === 'json' ? JSON.parse(body.toString('utf8')) : decodeMsgpack(body);
  } catch {
    return [bodyFormat === format ? body : body.toString('utf8')];
  }
  if (!Array.isArray(items))
    return [format === 'json' ? JSON.stringify(items) : encodeMsgpack(items)];
  return items.map((item: unknown) =>
    format === 'json' ? JSON.stringify(item) : encodeMsgpack(item),
  );
}

/** Creates the comet routes over an engine. */
export function createCometRoutes(
  engine: Engine,
  corsOrigins: string[],
  logger: Logger,
): CometRoutes {
  const transports = new Map<string, CometTransport>();
  // Transports whose connection key is not known yet: a resume of a connection another node
  // recorded gets its key once the record is read, and CONNECTED (which carries it) goes out then.
  const keyless = new Set<CometTransport>();

  /** The transport a keyed request names, registering one whose key became known meanwhile. */
  function transportFor(key: string): CometTransport | undefined {
    const known = transports.get(key);
    if (known) return known;
    for (const t of keyless) {
      if (t.handle?.connectionKey !== key) continue;
      keyless.delete(t);
      transports.set(key, t);
      return t;
    }
    return undefined;
  }

  function connect(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const headers = corsHeaders(req.headers.origin, corsOrigins);
    const format: WireFormat = query.get('format') === 'msgpack' ? 'msgpack' : 'json';
    const transport = createCometTransport({
      format,
      // Lines of JSON need a JSON connection; msgpack is only ever long-polled.
      streaming: format === 'json' && query.get('stream') !== 'false',
      pollTimeoutMs: engine.limits.cometPollTimeoutMs,
      headers,
      logger,
      onFinished(t) {
        keyless.delete(t);
        const key = t.handle?.connectionKey;
        if (key !== undefined && transports.get(key) === t) transports.delete(key);
      },
    });
    transport.attachRecv(res);
    const handle = engine.openConnection(transport, query);
    transport.handle = handle;
    const key = handle.connectionKey;
    if (transport.closed) return;
    if (key !== undefined) transports.set(key, transport);
    else keyless.add(transport);
  }

  async function keyed(
    req: IncomingMessage,
    res: ServerResponse,
    rawKey: string,
    operation: string,
  ): Promise<void> {
    const headers = corsHeaders(req.headers.origin, corsOrigins);
    let key: string;
    try {
      key = decodeURIComponent(rawKey);
    } catch {
      key = '';
    }
    const method = req.method ?? 'GET';
    if (operation === 'send' ? method !== 'POST' : method !== 'GET' && method !== 'POST') {
      answerError(res, headers, Action.ERROR, Errors.badRequest(`${method} is not allowed here`));
      return;
    }
    if (!CONNECTION_KEY.test(key)) {
      answerError(res, headers, Action.DISCONNECTED, Errors.invalidConnectionKey());
      return;
    }
    let transport = transportFor(key);
    if (operation === 'send') {
      const limit = engine.limits.maxFrameSize * SEND_BODY_FRAMES;
      const body = await readBody(req, limit);
      // Looked up again: the transport may have closed while the body was arriving.
      transport = transportFor(key);
      if (body === undefined) {
        answerError(res, headers, Action.ERROR, Errors.bodyTooLarge(limit));
        return;
      }
      if (!transport || transport.closed) {
        answerError(res, headers, Action.DISCONNECTED, Errors.connectionExpired());
        return;
      }
      const bodyFormat: WireFormat = (req.headers['content-type'] ?? '').includes('msgpack')
        ? 'msgpack'
        : 'json';
      for (const frame of framesOf(body, bodyFormat, transport.format)) {
        // A CLOSE (or an error the engine ends the connection for) closes the transport: what
        // follows it in the same body is not for this connection any more.
        if (transport.closed) break;
        transport.handle?.receive(frame);
      }
      answerNoContent(res, headers);
      return;
    }
    if (!transport || transport.closed) {
      // A recv may still collect what a closed transport said last (CLOSED, an ERROR).
      if (operation === 'recv' && transport) transport.attachRecv(res);
      else answerError(res, headers, Action.DISCONNECTED, Errors.connectionExpired());
      return;
    }
    if (operation === 'recv') transport.attachRecv(res);
    else if (operation === 'close') {
      const close = { action: Action.CLOSE };
      transport.handle?.receive(
        transport.format === 'json' ? JSON.stringify(close) : encodeMsgpack(close),
      );
      answerNoContent(res, headers);
    } else {
      transport.lose();
      answerNoContent(res, headers);
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseRequestTarget(req.url);
    const headers = corsHeaders(req.headers.origin, corsOrigins);
    if (!target) {
      answerError(res, headers, Action.ERROR, Errors.badRequest('Malformed request target'));
      return;
    }
    if (target.path === '/comet/connect') {
      if (req.method !== 'GET') {
        answerError(res, headers, Action.ERROR, Errors.badRequest('connect takes GET'));
        return;
      }
      connect(req, res, target.query);
      return;
    }
    const match = KEYED_ROUTE.exec(target.path);
    if (!match) {
      answerError(res, headers, Action.ERROR, Errors.notFound('Unknown comet route'));
      return;
    }
    await keyed(req, res, match[1]!, match[2]!);
  }

  return {
    serve(req, res) {
      if (req.method === 'OPTIONS' || !req.url?.startsWith('/comet/')) return false;
      route(req, res).catch((err: unknown) => {
        logger.error('comet request failed', { path: pathForLog(req.url), error: String(err) });
        try {
          if (!res.headersSent) answerError(res, {}, Action.DISCONNECTED, Errors.internalError());
          else res.destroy();
        } catch {
          res.destroy();
        }
      });
      return true;
    },
    close() {
      for (const transport of [...transports.values()]) transport.lose();
      transports.clear();
    },
  };
}
