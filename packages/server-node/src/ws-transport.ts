import type { Socket } from 'node:net';
import type { Transport, WireFormat } from '@switchboard/server';
import type { WebSocket } from 'ws';

/** A socket corked during the current event-loop turn. */
interface CorkState {
  readonly net: Socket | undefined;
  corked: boolean;
}

const corkedThisTurn: CorkState[] = [];
let flushScheduled = false;

/** Uncorks every socket corked this turn: each writes all its frames of the turn at once. */
function flushCorked(): void {
  flushScheduled = false;
  for (let i = 0; i < corkedThisTurn.length; i++) {
    const state = corkedThisTurn[i]!;
    state.corked = false;
    state.net!.uncork();
  }
  corkedThisTurn.length = 0;
}

/**
 * A complete unmasked WebSocket frame (header + payload) for a payload. Fan-out hands every
 * subscriber the same payload Buffer one after another, so a one-entry cache per opcode frames
 * each fan-out once instead of once per subscriber.
 */
class FrameCache {
  private payload: Buffer | undefined;
  private frame: Buffer | undefined;
  constructor(private readonly opcode: number) {}

  get(payload: Buffer): Buffer {
    if (payload === this.payload) return this.frame!;
    const n = payload.length;
    const headerSize = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(headerSize + n);
    frame[0] = 0x80 | this.opcode;
    if (n < 126) frame[1] = n;
    else if (n < 65536) {
      frame[1] = 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 127;
      frame.writeUInt32BE(Math.floor(n / 0x100000000), 2);
      frame.writeUInt32BE(n >>> 0, 6);
    }
    payload.copy(frame, headerSize);
    this.payload = payload;
    this.frame = frame;
    return frame;
  }
}

/** How long a closing socket waits for the peer's close frame before it is cut. */
const CLOSE_GRACE_MS = 1000;

const textFrames = new FrameCache(0x1);
const binaryFrames = new FrameCache(0x2);

/**
 * Adapts a `ws` socket to the engine's Transport: JSON as text frames, msgpack as binary.
 *
 * Sending bypasses ws's per-send framing: the frame is built once per payload (see FrameCache)
 * and written straight to the TCP socket, which ws permits as it compresses nothing here
 * (perMessageDeflate is off, so ws's Sender never queues and write order is kept). The first
 * frame sent to a socket in an event-loop turn corks it, and one setImmediate per turn uncorks
 * them all, so a fan-out of many messages in one turn costs each subscriber one write.
 *
 * One lives per connection for as long as its socket, so it is a class (methods on the
 * prototype) rather than closures per connection: idle connections are what memory is spent on.
 */
class WsTransport implements Transport, CorkState {
  readonly kind = 'websocket';
  /** The net.Socket under the WebSocket, corked while frames of this turn collect in it. */
  readonly net: Socket | undefined;
  corked = false;
  private readonly binary: boolean;
  private readonly frames: FrameCache;

  constructor(
    private readonly socket: WebSocket,
    readonly format: WireFormat,
  ) {
    this.binary = format === 'msgpack';
    this.frames = this.binary ? binaryFrames : textFrames;
    // `_socket` is the net.Socket under the WebSocket: not in ws's types, but stable since ws 1.
    this.net = (socket as unknown as { _socket?: Socket })._socket;
  }

  send(bytes: Buffer): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    const net = this.net;
    if (!net) {
      socket.send(bytes, { binary: this.binary });
      return;
    }
    if (!this.corked) {
      this.corked = true;
      net.cork();
      corkedThisTurn.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushCorked);
      }
    }
    net.write(this.frames.get(bytes));
  }

  ping(): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.ping();
  }

  close(abort?: boolean): void {
    const socket = this.socket;
    if (abort) socket.terminate();
    else if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
      socket.close(1000);
      // ws waits 30 s for the peer's close frame; a peer that never answers (a refused
      // client, or one sending nothing on purpose) would hold the socket that long.
      const timer = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }
}

/** Creates the Transport of a `ws` socket (see WsTransport). */
export function createWsTransport(socket: WebSocket, format: WireFormat): Transport {
  return new WsTransport(socket, format);
}
