import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of a server, so tests can do to a real client's socket what networks
 * do: black-hole it (bytes from the server silently vanish) and then drop it.
 */
export interface TcpProxy {
  readonly port: number;
  /** From now on, discard everything the server sends to current connections. */
  blackhole(): void;
  /** Destroy every current connection abruptly, as a network failure would. */
  dropAll(): void;
  /** While true, new connections are reset at once (an unreachable network). */
  refuse(on: boolean): void;
  /** Sends new connections to another port (another node behind one address). */
  retarget(targetPort: number): void;
  close(): Promise<void>;
}

/** Starts a proxy on an ephemeral port forwarding to 127.0.0.1:targetPort. */
export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; holed: boolean }>();
  let refusing = false;
  let target = targetPort;
  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    const pair = { client, upstream, holed: false };
    pairs.add(pair);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!pair.holed) client.write(d);
    });
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        blackhole() {
          for (const p of pairs) p.holed = true;
        },
        refuse(on) {
          refusing = on;
        },
        retarget(port) {
          target = port;
        },
        dropAll() {
          for (const p of [...pairs]) {
            p.client.resetAndDestroy();
            p.upstream.destroy();
          }
          pairs.clear();
        },
        close: () =>
          new Promise<void>((done) => {
            for (const p of pairs) {
              p.client.destroy();
              p.upstream.destroy();
            }
            server.close(() => done());
          }),
      });
    });
  });
}
