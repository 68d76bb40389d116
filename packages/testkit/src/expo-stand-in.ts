import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A push message as the stand-in received it (Expo's message shape). */
export interface ExpoStandInPush {
  to: string;
  title?: string;
  body?: string;
  data?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * A local stand-in for Expo's push API (`/--/api/v2/push/send` and `/getReceipts`) over real
 * HTTP: the only outside service Switchboard talks to, so tests fake it at the wire (STYLE 4).
 */
export interface ExpoStandIn {
  /** The base URL to give the Expo sender (`baseUrl`). */
  readonly url: string;
  /** Every push accepted (a ticket `ok` answered), oldest first. */
  readonly pushes: readonly ExpoStandInPush[];
  /** How many send requests arrived, answered or not. */
  readonly sendRequests: number;
  /** How many receipt requests arrived. */
  readonly receiptRequests: number;
  /** Answers the next `times` send requests with this HTTP status (e.g. 500). */
  failNext(status: number, times?: number): void;
  /** Leaves the next `times` send requests unanswered (the sender's timeout has to act). */
  stallNext(times?: number): void;
  /** Tickets for this token are `ok`, but its receipt says DeviceNotRegistered. */
  unregisterLater(token: string): void;
  /** Tickets for this token are DeviceNotRegistered errors at once. */
  unregisterNow(token: string): void;
  /** Waits until at least `count` pushes have been accepted (or `timeoutMs` passes: throws). */
  waitForPushes(count: number, timeoutMs?: number): Promise<readonly ExpoStandInPush[]>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let body = Buffer.concat(chunks);
  // The SDK gzips bodies over 1 KiB.
  if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  return JSON.parse(body.toString('utf8')) as unknown;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the Expo stand-in on 127.0.0.1, port 0. */
export async function startExpoStandIn(): Promise<ExpoStandIn> {
  const pushes: ExpoStandInPush[] = [];
  const failures: number[] = [];
  let stalls = 0;
  let sendRequests = 0;
  let receiptRequests = 0;
  let nextTicket = 1;
  const laterUnregistered = new Set<string>();
  const nowUnregistered = new Set<string>();
  const receipts = new Map<string, object>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '';
      if (req.method !== 'POST') return answer(res, 405, { errors: [{ message: 'POST only' }] });
      const body = await readJson(req);
      if (path === '/--/api/v2/push/send') {
        sendRequests++;
        if (stalls > 0) {
          stalls--;
          return; // never answered
        }
        const status = failures.shift();
        if (status !== undefined)
          return answer(res, status, { errors: [{ code: 'INTERNAL', message: 'stand-in fault' }] });
        const messages = (Array.isArray(body) ? body : [body]) as ExpoStandInPush[];
        const tickets = messages.map((m) => {
          if (nowUnregistered.has(m.to))
            return {
              status: 'error',
              message: `"${m.to}" is not a registered push notification recipient`,
              details: { error: 'DeviceNotRegistered', expoPushToken: m.to },
            };
          pushes.push(m);
          const id = `ticket-${nextTicket++}`;
          receipts.set(
            id,
            laterUnregistered.has(m.to)
              ? {
                  status: 'error',
                  message: `"${m.to}" is not a registered push notification recipient`,
                  details: { error: 'DeviceNotRegistered', expoPushToken: m.to },
                }
              : { status: 'ok' },
          );
          return { status: 'ok', id };
        });
        return answer(res, 200, { data: tickets });
      }
      if (path === '/--/api/v2/push/getReceipts') {
        receiptRequests++;
        const ids = (body as { ids?: unknown }).ids;
        const data: Record<string, object> = {};
        if (Array.isArray(ids))
          for (const id of ids) {
            const r = typeof id === 'string' ? receipts.get(id) : undefined;
            if (r) data[id as string] = r;
          }
        return answer(res, 200, { data });
      }
      answer(res, 404, { errors: [{ message: 'not found' }] });
    })().catch(() => answer(res, 400, { errors: [{ message: 'bad request' }] }));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    get sendRequests() {
      return sendRequests;
    },
    get receiptRequests() {
      return receiptRequests;
    },
    failNext: (status, times = 1) => void failures.push(...new Array<number>(times).fill(status)),
    stallNext: (times = 1) => void (stalls += times),
    unregisterLater: (token) => void laterUnregistered.add(token),
    unregisterNow: (token) => void nowUnregistered.add(token),
    async waitForPushes(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (pushes.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} Expo pushes, got ${pushes.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return pushes;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
