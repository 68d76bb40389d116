import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: headers and the raw body text. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the receiver answers: 200, 500, a redirect, or never. */
export type ReceiverMode = 'ok' | 'fail' | 'redirect' | 'hang';

/** A local webhook endpoint over node:http: the outside world at the wire. */
export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  mode: ReceiverMode;
  /** Stops listening (the port then refuses connections). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Items of every request so far, in arrival order. */
  items(): { source: string; name: string; data: Record<string, unknown> }[];
  /** Resolves once `pred` holds, or rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
}

/** Starts a receiver on a free port. */
export async function startReceiver(): Promise<WebhookReceiver> {
  let server: Server | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    mode: 'ok',
    async down() {
      const s = server;
      server = undefined;
      s?.closeAllConnections();
      await new Promise((r) => s?.close(r) ?? r(undefined));
    },
    async up() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          if (req.url === '/moved') {
            res.writeHead(200).end();
            receiver.received.push({ headers: { moved: 'yes' }, body: '{"items":[]}' });
            return;
          }
          receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
          if (receiver.mode === 'hang') return;
          if (receiver.mode === 'redirect')
            res.writeHead(302, { location: `http://127.0.0.1:${receiver.port}/moved` }).end();
          else res.writeHead(receiver.mode === 'ok' ? 200 : 500).end();
        });
      });
      const s = server;
      await new Promise<void>((r) => s.listen(receiver.port, '127.0.0.1', r));
      receiver.port = (s.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
    },
    items: () =>
      receiver.received.flatMap(
        (r) => (JSON.parse(r.body) as { items: ReturnType<WebhookReceiver['items']> }).items ?? [],
      ),
    async waitFor(pred, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > until) throw new Error('timed out waiting for webhooks');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  await receiver.up();
  return receiver;
}
