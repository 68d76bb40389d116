import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy for one browser context, so a test can cut that context's network for real.
 * Chromium's `context.setOffline(true)` only stops the page from sending and receiving: the TCP
 * connections stay open (and even answer WebSocket pings), so the server never learns the client
 * is gone. Cutting the proxy's sockets as well is what a dropped network looks like to a server.
 */
export interface CuttableProxy {
  /** `http://127.0.0.1:port`, for `browser.newContext({ proxy: { server } })`. */
  readonly server: string;
  /** Destroys every connection through the proxy, as a network cut does; new ones still work. */
  cut(): void;
  /** Refuses every request and tunnel to this port until `unblock` (one service unreachable). */
  block(port: number): void;
  unblock(): void;
  close(): Promise<void>;
}

/** Starts the proxy: CONNECT tunnels (WebSockets) and absolute-form HTTP requests. */
export async function startCuttableProxy(): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    // A keep-alive socket carries many requests: listen to it once.
    if (sockets.has(s)) return;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  let blocked: string | undefined;
  const server = createServer((req: IncomingMessage, res) => {
    track(req.socket);
    const target = new URL(req.url ?? '/');
    if (target.port === blocked) {
      res.writeHead(502).end();
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('socket', track);
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client);
    const [host, port] = (req.url ?? '').split(':');
    if (port === blocked) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    block(port) {
      blocked = String(port);
    },
    unblock() {
      blocked = undefined;
    },
    cut() {
      for (const s of [...sockets]) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
