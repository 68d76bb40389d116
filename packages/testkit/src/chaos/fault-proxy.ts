import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { Random } from './random.js';

/** The ways a network breaks a socket that the chaos proxy imitates. */
export const FAULT_KINDS = ['reset', 'half-close', 'blackhole'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A TCP proxy that breaks one live connection at a time, at random, on demand. */
export interface FaultProxy {
  readonly port: number;
  /** Connections currently forwarded. */
  readonly live: number;
  /** Breaks one random live connection; returns the fault, or undefined when none is live. */
  injectFault(): FaultKind | undefined;
  /** Resolves once every injected fault has run its course (no drop is still scheduled). */
  quiet(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Server-to-client bytes are dropped (a black hole), the client sees only silence. */
  holed: boolean;
  /** Already hit by a fault: not picked again, it is on its way out. */
  faulted: boolean;
}

/** Longest black hole before the socket is dropped: within ably-js's own timeouts, so both
 * "the client gives up first" and "the drop comes first" happen. */
const MAX_BLACKHOLE_MS = 3000;
/** A half-closed socket is destroyed after this, as a NAT that lost the flow eventually would. */
const HALF_CLOSE_LINGER_MS = 2000;

/** Starts a fault-injecting proxy on an ephemeral port forwarding to 127.0.0.1:targetPort. */
export function startFaultProxy(targetPort: number, random: Random): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const destroy = (p: Pair, reset: boolean): void => {
    pairs.delete(p);
    if (reset) p.client.resetAndDestroy();
    else p.client.destroy();
    p.upstream.destroy();
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, holed: false, faulted: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!upstream.writableEnded) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.holed && !client.writableEnded) client.write(d);
    });
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // allowHalfOpen is off: an 'end' from one side closes both unless a fault holds it open.
    for (const s of [client, upstream]) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  server.on('error', () => {});

  const faults: Record<FaultKind, (p: Pair) => void> = {
    // A RST to the client and a plain close to the server: both see the loss at once.
    reset: (p) => destroy(p, true),
    // One direction ends (FIN) while the other stays open for a while: the side that still
    // writes is not told its bytes go nowhere until the socket finally dies.
    'half-close': (p) => {
      if (random.next() < 0.5) p.upstream.end();
      else p.client.end();
      later(HALF_CLOSE_LINGER_MS, () => destroy(p, false));
    },
    // The server keeps sending and believes it delivered; the client hears nothing, then drops.
    blackhole: (p) => {
      p.holed = true;
      later(random.int(100, MAX_BLACKHOLE_MS), () => destroy(p, random.next() < 0.5));
    },
  };

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        get live() {
          return [...pairs].filter((p) => !p.faulted).length;
        },
        injectFault() {
          const candidates = [...pairs].filter((p) => !p.faulted);
          if (candidates.length === 0) return undefined;
          const pair = random.pick(candidates);
          const kind = random.pick(FAULT_KINDS);
          pair.faulted = true;
          faults[kind](pair);
          return kind;
        },
        async quiet() {
          while (timers.size > 0) await new Promise((r) => setTimeout(r, 50));
        },
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t);
            for (const p of [...pairs]) destroy(p, false);
            server.close(() => done());
          }),
      });
    });
  });
}
