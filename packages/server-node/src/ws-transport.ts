import type { Socket } from 'node:net';
import type { Transport, WireFormat } from '@switchboard/server';
import type { WebSocket } from 'ws';

/**
 * The frames queued for one socket during the current event-loop turn. Most turns queue one
 * frame, so the first is kept apart and the array only made for a second.
 */
interface Outbox {
  readonly net: Socket;
  first: Buffer | undefined;
  more: Buffer[] | undefined;
  bytes: number;
}

const pending: Outbox[] = [];
let flushScheduled = false;

/** Writes one outbox's frames to its socket in one write. */
function flushOutbox(box: Outbox): void {
  const first = box.first;
  if (!first) return;
  const chunk = box.more ? Buffer.concat([first, ...box.more], box.bytes) : first;
  box.first = undefined;
  box.more = undefined;
  box.bytes = 0;
  if (!box.net.destroyed) box.net.write(chunk);
}

/** Once per turn: every socket written to this turn gets all its frames of the turn at once. */
function flushAll(): void {
  flushScheduled = false;
  for (let i = 0; i < pending.length; i++) flushOutbox(pending[i]!);
  pending.length = 0;
}

/**
 * A complete unmasked WebSocket frame (header + payload). Fan-out hands every subscriber the
 * same payload Buffer one after another, so a one-entry cache per opcode frames each fan-out
 * once instead of once per subscriber.
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

const textFrames = new FrameCache(0x1);
const binaryFrames = new FrameCache(0x2);

/**
 * Adapts a `ws` socket to the engine's Transport: JSON as text frames, msgpack as binary.
 *
 * Frames do not go through ws's per-send framing: each payload is framed once (FrameCache) and
 * queued for its socket; one setImmediate per event-loop turn then writes every socket's frames
 * of the turn in a single write, so a fan-out of many messages in one turn costs each
 * subscriber one syscall, not one per frame. This is safe because nothing is compressed
 * (perMessageDeflate is off, so ws's own Sender never queues); whatever ws writes itself (ping,
 * close) is preceded by a flush of this socket's queue, which keeps the order.
 */
export function createWsTransport(socket: WebSocket, format: WireFormat): Transport {
  const binary = format === 'msgpack';
  const frames = binary ? binaryFrames : textFrames;
  // `_socket` is the net.Socket under the WebSocket: not in ws's types, but stable since ws 1.
  const net = (socket as unknown as { _socket?: Socket })._socket;
  const box: Outbox | undefined = net ? { net, first: undefined, more: undefined, bytes: 0 } : undefined;
  const OPEN = socket.OPEN;
  const flushMine = (): void => {
    if (box) flushOutbox(box);
  };
  return {
    format,
    send(bytes) {
      if (socket.readyState !== OPEN) return;
      if (!box) {
        socket.send(bytes, { binary });
        return;
      }
      const frame = frames.get(bytes);
      if (box.first === undefined) {
        box.first = frame;
        pending.push(box);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flushAll);
        }
      } else if (box.more === undefined) box.more = [frame];
      else box.more.push(frame);
      box.bytes += frame.length;
    },
    ping() {
      if (socket.readyState !== OPEN) return;
      flushMine();
      socket.ping();
    },
    close(abort) {
      flushMine();
      if (abort) socket.terminate();
      else if (socket.readyState === OPEN || socket.readyState === socket.CONNECTING) socket.close(1000);
    },
    bufferedBytes: () => socket.bufferedAmount + (box ? box.bytes : 0),
  };
}
