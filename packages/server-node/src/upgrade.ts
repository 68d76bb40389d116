import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Errors, type ErrorInfo } from '@switchboard/protocol';
import type { Engine, Logger } from '@switchboard/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseRequestTarget, pathForLog } from './request-target.js';
import { createWsTransport } from './ws-transport.js';

/** Takes over WebSocket upgrades for the engine. */
export interface UpgradeHandler {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every open WebSocket. */
  close(): void;
}

/** Answers an upgrade we refuse with a plain HTTP error and closes the socket once it is sent. */
function refuse(socket: Duplex, error: ErrorInfo): void {
  const body = JSON.stringify({ error: error.toJSON() });
  // Node took its own listeners off the socket when it emitted 'upgrade': without ours, a reset
  // from the peer would be an unhandled 'error' event, which ends the process.
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** A socket that errs is cut; shared by every socket (listeners run with the socket as `this`). */
function terminateSocket(this: WebSocket): void {
  this.terminate();
}

/**
 * Wires an upgraded socket to the engine. Kept out of the upgrade handler so that the listeners,
 * which live as long as the connection, do not keep the upgrade request (and its headers) alive.
 * A throw from the engine is logged and ends this one socket, never the process.
 */
function accept(
  engine: Engine,
  logger: Logger,
  ws: WebSocket,
  query: URLSearchParams,
  heard: WeakSet<WebSocket>,
  markHeard: (this: WebSocket) => void,
): void {
  ws.on('error', terminateSocket);
  heard.add(ws);
  ws.on('pong', markHeard);
  const format = query.get('format') === 'msgpack' ? 'msgpack' : 'json';
  const transport = createWsTransport(ws, format);
  const handle = engine.openConnection(transport, query);
  ws.on('message', (data: Buffer | Buffer[], isBinary) => {
    heard.add(ws);
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : data;
      handle.receive(isBinary ? buf : buf.toString('utf8'));
    } catch (err) {
      logger.error('WebSocket message handler failed', { error: String(err) });
      ws.terminate();
    }
  });
  ws.on('close', () => {
    try {
      handle.transportClosed();
    } catch (err) {
      logger.error('WebSocket close handler failed', { error: String(err) });
    }
  });
}

/** Creates the upgrade handler; `maxPayload` cuts off frames far over the engine's limit. */
export function createUpgradeHandler(engine: Engine, logger: Logger): UpgradeHandler {
  // Frames over maxFrameSize are refused by the engine with an Ably error; far larger ones are
  // cut off here before they are buffered.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: engine.limits.maxFrameSize * 4,
    perMessageDeflate: false,
  });
  // Liveness: a peer that vanished without a FIN (a network cut, a browser put offline, a NAT that
  // forgot the flow) keeps its TCP socket open for minutes, and its presence with it. Each round
  // cuts the sockets that sent nothing since the previous round's ping, then pings the rest;
  // browsers and ws clients answer pings on their own.
  const heard = new WeakSet<WebSocket>();
  // One pong listener for every socket rather than a closure per connection.
  const markHeard = function (this: WebSocket): void {
    heard.add(this);
  };
  const pingEvery = Math.max(100, Math.floor(engine.limits.wsPingTimeoutMs / 2));
  const liveness = setInterval(() => {
    for (const client of wss.clients) {
      if (!heard.has(client)) {
        client.terminate();
        continue;
      }
      heard.delete(client);
      if (client.readyState === client.OPEN) client.ping();
    }
  }, pingEvery);
  liveness.unref();
  return {
    handle(req, socket, head) {
      try {
        // Parsed before the handshake, so a bad target gets a 400 instead of a 101 and a throw.
        const target = parseRequestTarget(req.url);
        if (!target) {
          refuse(socket, Errors.badRequest('Malformed request target'));
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          try {
            accept(engine, logger, ws, target.query, heard, markHeard);
          } catch (err) {
            logger.error('WebSocket accept failed', { error: String(err) });
            ws.terminate();
          }
        });
      } catch (err) {
        logger.error('WebSocket upgrade failed', {
          path: pathForLog(req.url),
          error: String(err),
        });
        socket.destroy();
      }
    },
    close() {
      clearInterval(liveness);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
