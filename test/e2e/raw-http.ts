export { rawExchange } from '@switchboard/testkit/fuzz';
export type { RawReply } from '@switchboard/testkit/fuzz';

/** A raw WebSocket upgrade request for `target` (path and query, sent byte for byte). */
export function upgradeRequest(target: string, extraHeaders = ''): Buffer {
  return Buffer.from(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
    'latin1',
  );
}

/** GET /time over plain HTTP: the liveness probe after hostile input. */
export async function timeStatus(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/time`);
  await res.arrayBuffer();
  return res.status;
}
