import { request, type IncomingMessage } from 'node:http';

/** One event as an SSE client sees it (the event type defaults to `message`). */
export interface ReadEvent {
  event: string;
  data: string;
  /** The `id:` field of this event, if it had one. */
  id?: string;
  /** The last event id so far, as EventSource keeps it (what Last-Event-ID would send). */
  lastEventId: string;
  receivedAt: number;
}

/** A minimal text/event-stream reader over node:http, as a test needs it. */
export interface SseReader {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly events: ReadEvent[];
  /** Resolves with the first event (from the start) that matches and was not yet taken. */
  next(match?: (e: ReadEvent) => boolean, timeoutMs?: number): Promise<ReadEvent>;
  /** Resolves when the server ends the stream. */
  ended(timeoutMs?: number): Promise<void>;
  readonly lastEventId: string;
  /** Stops reading without consuming (the server's buffers fill). */
  pause(): void;
  /** Cuts the connection. */
  close(): void;
}

/** Opens `GET <path>` on the server and parses the stream as it arrives. */
export function openSse(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } },
      (res) => {
        const events: ReadEvent[] = [];
        const taken = new Set<ReadEvent>();
        const waiters = new Set<() => void>();
        let buffer = '';
        let lastEventId = '';
        let done = false;
        let fields: { event?: string; data: string[]; id?: string } = { data: [] };
        const wake = (): void => {
          for (const w of [...waiters]) w();
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).replace(/\r$/, '');
            buffer = buffer.slice(nl + 1);
            if (line === '') {
              if (fields.data.length > 0) {
                if (fields.id !== undefined) lastEventId = fields.id;
                events.push({
                  event: fields.event ?? 'message',
                  data: fields.data.join('\n'),
                  ...(fields.id !== undefined ? { id: fields.id } : {}),
                  lastEventId,
                  receivedAt: Date.now(),
                });
              }
              fields = { data: [] };
              continue;
            }
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (name === 'data') fields.data.push(value);
            else if (name === 'event') fields.event = value;
            else if (name === 'id') fields.id = value;
          }
          wake();
        });
        const finish = (): void => {
          done = true;
          wake();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
        const wait = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
          new Promise((ok, fail) => {
            const attempt = (): void => {
              const found = check();
              if (found !== undefined) {
                waiters.delete(attempt);
                clearTimeout(timer);
                ok(found);
              } else if (done && what !== 'end') {
                waiters.delete(attempt);
                clearTimeout(timer);
                fail(
                  new Error(`stream ended while waiting for ${what}; got ${events.length} events`),
                );
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(attempt);
              fail(new Error(`timed out waiting for ${what}; got ${events.length} events`));
            }, timeoutMs);
            waiters.add(attempt);
            attempt();
          });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          events,
          get lastEventId() {
            return lastEventId;
          },
          next(match = () => true, timeoutMs = 10_000) {
            return wait(
              () => {
                const e = events.find((x) => !taken.has(x) && match(x));
                if (e) taken.add(e);
                return e;
              },
              timeoutMs,
              'an event',
            );
          },
          ended(timeoutMs = 10_000) {
            return wait(() => (done ? true : undefined), timeoutMs, 'end').then(() => {});
          },
          pause: () => res.pause(),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The message events (not heartbeats) of a stream, parsed. */
export const isMessage = (e: ReadEvent): boolean =>
  e.event === 'message' && !e.data.startsWith('{"type":"heartbeat"');
