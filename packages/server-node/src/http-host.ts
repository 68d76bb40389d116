import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine, RestRequest, RestResponse } from '@switchboard/server';
import { WebSocketServer, type WebSocket } from 'ws';
import { createWsTransport } from './ws-transport.js';

/** Options for the HTTP + WebSocket listener. */
export interface HostOptions {
  engine: Engine;
  port: number;
  host?: string;
  /** Origins allowed by CORS; `*` allows any. */
  corsOrigins: string[];
}

/** The listening host: one port serves REST and the WebSocket upgrade, as ably-js expects. */
export interface Host {
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const CORS_HEADERS =
  'authorization,content-type,accept,x-ably-version,ably-agent,x-ably-clientid,x-ably-lib,x-switchboard-admin-secret';
const EXPOSE_HEADERS = 'link,x-ably-errorcode,x-ably-errormessage,x-ably-serverid';

function corsHeaders(origin: string | undefined, allowed: string[]): Record<string, string> {
  if (!origin) return {};
  if (!allowed.includes('*') && !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSE_HEADERS,
    vary: 'Origin',
  };
}

function errorBody(code: number, statusCode: number, message: string): RestResponse {
  return {
    status: statusCode,
    headers: {
      'content-type': 'application/json',
      'x-ably-errorcode': String(code),
      'x-ably-errormessage': message,
    },
    body: Buffer.from(JSON.stringify({ error: { message, code, statusCode } })),
  };
}

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

async function serveRest(
  engine: Engine,
  options: HostOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const cors = corsHeaders(req.headers.origin, options.corsOrigins);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? CORS_HEADERS,
      'access-control-max-age': '86400',
    });
    res.end();
    return;
  }
  let response: RestResponse;
  const body = await readBody(req, engine.limits.maxFrameSize);
  if (body === undefined) {
    response = errorBody(41300, 413, `Request body exceeds ${engine.limits.maxFrameSize} bytes`);
  } else {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers))
      headers[k] = Array.isArray(v) ? v.join(',') : v;
    const restReq: RestRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
    };
    response = await engine.handleRest(restReq);
  }
  res.writeHead(response.status, {
    ...cors,
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.end(response.body);
}

/**
 * Wires an upgraded socket to the engine. Kept out of the upgrade handler so that the listeners,
 * which live as long as the connection, do not keep the upgrade request (and its headers) alive.
 */
function accept(engine: Engine, ws: WebSocket, url: string): void {
  const query = new URL(url, 'http://localhost').searchParams;
  const format = query.get('format') === 'msgpack' ? 'msgpack' : 'json';
  const transport = createWsTransport(ws, format);
  const handle = engine.openConnection(transport, query);
  ws.on('message', (data: Buffer | Buffer[], isBinary) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : data;
    handle.receive(isBinary ? buf : buf.toString('utf8'));
  });
  ws.on('close', () => handle.transportClosed());
  ws.on('error', () => ws.terminate());
}

/** Starts listening; resolves once the port is bound (port 0 picks a free one). */
export function startHost(options: HostOptions): Promise<Host> {
  const { engine } = options;
  const server = createServer((req, res) => {
    serveRest(engine, options, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: 'Internal error', code: 50000, statusCode: 500 } }),
      );
    });
  });
  // Frames over maxFrameSize are refused by the engine with an Ably error; far larger ones are
  // cut off here before they are buffered.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: engine.limits.maxFrameSize * 4,
    perMessageDeflate: false,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? '/';
    wss.handleUpgrade(req, socket, head, (ws) => accept(engine, ws, url));
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        server,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
