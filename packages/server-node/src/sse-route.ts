import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '@switchboard/server';
import type { RequestTarget } from './request-target.js';

/**
 * Whether a request is for the SSE endpoint: `GET /sse`, or `GET /event-stream` asking for
 * `text/event-stream` (Ably serves both).
 */
export function isSseRequest(req: IncomingMessage, target: RequestTarget): boolean {
  if (req.method !== 'GET') return false;
  if (target.path === '/sse') return true;
  return target.path === '/event-stream' && /text\/event-stream/i.test(req.headers.accept ?? '');
}

/**
 * Streams Server-Sent Events: the headers go out at once (an EventSource opens on them), then
 * whatever the engine's stream writes; the engine hears when the client goes away.
 */
export function serveSse(
  engine: Engine,
  cors: Record<string, string>,
  target: RequestTarget,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  res.writeHead(200, {
    ...cors,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold events back in their buffers.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  // The stream's own heartbeats keep it alive; no idle timeout may cut it.
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const stream = engine.openSse(
    { query: target.query, headers },
    {
      write: (text) => void res.write(text),
      end: (abort) => (abort ? res.destroy() : res.end()),
      // An OutgoingMessage counts its socket's buffer too.
      bufferedBytes: () => res.writableLength,
    },
  );
  res.once('close', () => stream.clientClosed());
}
