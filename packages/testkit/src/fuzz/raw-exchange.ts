import { connect } from 'node:net';

/** What came back on a raw TCP exchange: the status line's code, if any, and the bytes. */
export interface RawReply {
  /** HTTP status of the first response, undefined when the socket closed without one. */
  status: number | undefined;
  raw: Buffer;
  /** Whether the server closed the socket before the timeout. */
  closed: boolean;
  /** Milliseconds from connect to close (or to the timeout). */
  elapsedMs: number;
}

/**
 * Writes bytes on a fresh TCP connection and collects the reply until the server closes it or
 * `timeoutMs` passes. Tests use it to send what no HTTP client would (bad request lines, paths,
 * headers), so nothing on the way normalises the input.
 */
export function rawExchange(
  port: number,
  bytes: Buffer | string,
  options: { timeoutMs?: number; closeAfterFirstResponse?: boolean } = {},
): Promise<RawReply> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw.subarray(0, 20).toString('latin1'));
      resolve({
        status: m ? Number(m[1]) : undefined,
        raw,
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (
        options.closeAfterFirstResponse &&
        /\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))
      )
        finish(true);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}
