import type { Transport, WireFormat } from '@switchboard/server';
import type { WebSocket } from 'ws';

/** Adapts a `ws` socket to the engine's Transport: JSON as text frames, msgpack as binary. */
export function createWsTransport(socket: WebSocket, format: WireFormat): Transport {
  const binary = format === 'msgpack';
  return {
    format,
    send(bytes) {
      if (socket.readyState === socket.OPEN) socket.send(bytes, { binary });
    },
    ping() {
      if (socket.readyState === socket.OPEN) socket.ping();
    },
    close(abort) {
      if (abort) socket.terminate();
      else if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(1000);
    },
    bufferedBytes: () => socket.bufferedAmount,
  };
}
