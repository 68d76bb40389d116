import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy that plays the corporate proxy ably-js falls back for: while `blockWebSockets` is
 * on, a connection whose first request is a WebSocket upgrade gets no answer at all (as when a
 * proxy strips the upgrade headers), and everything else passes. `delayCometConnectMs` holds
 * each new `/comet/connect` back that long, so a test can let a WebSocket win a race.
 */
export interface WebSocketBlockingProxy {
  readonly port: number;
  blockWebSockets: boolean;
  delayCometConnectMs: number;
  /** Destroys every connection, as a network failure would. */
  dropAll(): void;
  close(): Promise<void>;
}

export function startWebSocketBlockingProxy(targetPort: number): Promise<WebSocketBlockingProxy> {
  const settings = { blockWebSockets: true, delayCometConnectMs: 0 };
  const sockets = new Set<Socket>();
  const track = (s: Socket): Socket => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  };
  const server = createServer((client) => {
    track(client);
    client.once('data', (first: Buffer) => {
      const head = first.toString('latin1');
      if (settings.blockWebSockets && /\r\nupgrade:\s*websocket/i.test(head)) return;
      const upstream = track(connect(targetPort, '127.0.0.1'));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.pipe(client);
      const forward = (): void => {
        upstream.write(first);
        client.pipe(upstream);
      };
      if (head.startsWith('GET /comet/connect') && settings.delayCometConnectMs > 0) {
        client.pause();
        setTimeout(forward, settings.delayCometConnectMs);
      } else forward();
    });
  });
  const dropAll = (): void => {
    for (const s of [...sockets]) s.destroy();
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(
        Object.assign(settings, {
          port: (server.address() as AddressInfo).port,
          dropAll,
          close: () =>
            new Promise<void>((done) => {
              dropAll();
              server.close(() => done());
            }),
        }),
      );
    });
  });
}
