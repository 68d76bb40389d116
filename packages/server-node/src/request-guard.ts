import { STATUS_CODES, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Limits, Logger } from '@switchboard/server';

/** How often Node checks headersTimeout and requestTimeout (its default, 30 s, is too coarse). */
const TIMEOUT_CHECK_MS = 1000;
/** At most one warning about refused sockets per this many milliseconds. */
const WARN_EVERY_MS = 10_000;

type HostLimits = Pick<Limits, 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxPendingRequests'>;

/**
 * node:http options that bound slow clients: a client that trickles its headers or its body is
 * answered 408 and closed instead of holding a socket and a parser for minutes.
 */
export function serverOptions(limits: HostLimits): ServerOptions {
  const requestTimeout = limits.requestTimeoutMs;
  // Node refuses a headersTimeout longer than a non-zero requestTimeout.
  const headersTimeout =
    requestTimeout > 0
      ? Math.min(limits.headersTimeoutMs, requestTimeout)
      : limits.headersTimeoutMs;
  return {
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, Math.max(100, headersTimeout / 2)),
  };
}

/**
 * Guards a server against what happens before a request reaches a handler:
 * - at most `maxPendingRequests` sockets may be open without having completed a request or an
 *   upgrade (slowloris); further sockets are closed at once, and the refusals are logged;
 * - a request Node cannot parse is answered 400 (431 for headers too large, 408 for a timeout)
 *   and closed, and logged at info level as it is the client's fault.
 */
export function guardServer(server: Server, limits: HostLimits, logger: Logger): void {
  const pending = new Set<Socket>();
  const responses = new WeakMap<Socket, ServerResponse>();
  let refused = 0;
  let lastWarn = 0;
  server.on('connection', (socket: Socket) => {
    if (pending.size >= limits.maxPendingRequests) {
      refused++;
      const now = Date.now();
      if (now - lastWarn >= WARN_EVERY_MS) {
        lastWarn = now;
        logger.warn('refusing sockets: too many without a complete request', {
          maxPendingRequests: limits.maxPendingRequests,
          refused,
        });
        refused = 0;
      }
      socket.destroy();
      return;
    }
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
  });
  server.on('request', (req, res: ServerResponse) => {
    pending.delete(req.socket);
    responses.set(req.socket, res);
  });
  server.on('upgrade', (_req, socket: Socket) => pending.delete(socket));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Debug: anyone can send garbage as fast as they like, and each one is not an event.
    logger.debug('client sent a request that cannot be parsed', { code: err.code });
    const res = responses.get(socket);
    // A response under way on this socket cannot be followed by a status line of our own.
    if (!socket.writable || (res && res.headersSent && !res.writableFinished)) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`, () =>
      socket.destroy(),
    );
  });
}
