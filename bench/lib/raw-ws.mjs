// A minimal WebSocket client over net.Socket, for the load generator only.
//
// Why not `ws`: at several hundred thousand deliveries per second the client's own cost per frame
// decides what can be measured. This client parses frame headers in place and hands the payload
// as (buffer, start, end) without copying, so a subscriber costs little more than a counter.
// Only what a load client needs: no extensions, no fragmentation on send, server frames unmasked.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const MAX_HANDSHAKE = 16 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * @typedef {object} RawWsHandlers
 * @property {(ws: RawWs) => void} [onOpen]
 * @property {(ws: RawWs, buf: Buffer, start: number, end: number, binary: boolean) => void} onMessage
 * @property {(ws: RawWs, err: Error | undefined) => void} [onClose]
 */

export class RawWs {
  /**
   * @param {number} port
   * @param {string} path request path with query, e.g. `/?key=...`
   * @param {RawWsHandlers} handlers
   */
  constructor(port, path, handlers) {
    this.handlers = handlers;
    this.open = false;
    this.closed = false;
    /** @type {Buffer} bytes of an incomplete frame (or handshake) carried over to the next chunk */
    this.rest = EMPTY;
    /** @type {Buffer[] | undefined} fragments of a message split by the server */
    this.fragments = undefined;
    this.fragmentBinary = false;
    this.socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.socket.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      this.socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('data', (chunk) => (this.open ? this.frames(chunk) : this.handshake(chunk)));
    this.socket.on('error', (err) => this.finish(err));
    this.socket.on('close', () => this.finish(undefined));
  }

  handshake(chunk) {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > MAX_HANDSHAKE) this.fail(new Error('handshake too long'));
      else this.rest = buf;
      return;
    }
    const status = buf.toString('latin1', 0, buf.indexOf('\r\n'));
    if (!/^HTTP\/1\.1 101/.test(status)) {
      this.fail(new Error(`upgrade refused: ${status}`));
      return;
    }
    this.rest = EMPTY;
    this.open = true;
    this.handlers.onOpen?.(this);
    if (end + 4 < buf.length) this.frames(buf.subarray(end + 4));
  }

  frames(chunk) {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const len = buf.length;
    let i = 0;
    while (i + 2 <= len) {
      const b0 = buf[i];
      let size = buf[i + 1] & 0x7f;
      let header = 2;
      if (size === 126) {
        if (i + 4 > len) break;
        size = buf.readUInt16BE(i + 2);
        header = 4;
      } else if (size === 127) {
        if (i + 10 > len) break;
        size = buf.readUInt32BE(i + 2) * 0x100000000 + buf.readUInt32BE(i + 6);
        header = 10;
      }
      const start = i + header;
      const end = start + size;
      if (end > len) break;
      this.frame(b0, buf, start, end);
      if (this.closed) return;
      i = end;
    }
    this.rest = i === len ? EMPTY : Buffer.from(buf.subarray(i));
  }

  frame(b0, buf, start, end) {
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (opcode === 1 || opcode === 2) {
      if (fin) this.handlers.onMessage(this, buf, start, end, opcode === 2);
      else {
        this.fragments = [Buffer.from(buf.subarray(start, end))];
        this.fragmentBinary = opcode === 2;
      }
    } else if (opcode === 0 && this.fragments) {
      this.fragments.push(Buffer.from(buf.subarray(start, end)));
      if (fin) {
        const whole = Buffer.concat(this.fragments);
        this.fragments = undefined;
        this.handlers.onMessage(this, whole, 0, whole.length, this.fragmentBinary);
      }
    } else if (opcode === 8) {
      this.sendFrame(0x8, buf.subarray(start, Math.min(end, start + 2)));
      this.socket.end();
      this.finish(undefined);
    } else if (opcode === 9) {
      this.sendFrame(0xa, buf.subarray(start, end));
    }
  }

  /** Sends a text (string) or binary (Buffer) message, masked as clients must. */
  send(data) {
    if (typeof data === 'string') this.sendFrame(0x1, Buffer.from(data));
    else this.sendFrame(0x2, data);
  }

  sendFrame(opcode, payload) {
    if (this.closed || !this.open) return;
    const size = payload.length;
    const header = size < 126 ? 6 : size < 65536 ? 8 : 14;
    const out = Buffer.allocUnsafe(header + size);
    out[0] = 0x80 | opcode;
    if (size < 126) out[1] = 0x80 | size;
    else if (size < 65536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(size, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeUInt32BE(0, 2);
      out.writeUInt32BE(size, 6);
    }
    const m = header - 4;
    const mask = (Math.random() * 0x100000000) >>> 0;
    out.writeUInt32BE(mask, m);
    for (let k = 0; k < size; k++) out[header + k] = payload[k] ^ out[m + (k & 3)];
    this.socket.write(out);
  }

  /** Starts a batch of sends that leave in one write (call uncork after). */
  cork() {
    this.socket.cork();
  }

  uncork() {
    this.socket.uncork();
  }

  close() {
    if (this.closed) return;
    if (this.open) this.sendFrame(0x8, Buffer.from([0x03, 0xe8]));
    this.socket.end();
    this.finish(undefined);
  }

  /** Drops the TCP connection at once. */
  destroy() {
    this.socket.destroy();
    this.finish(undefined);
  }

  fail(err) {
    this.socket.destroy();
    this.finish(err);
  }

  finish(err) {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.handlers.onClose?.(this, err);
  }
}
