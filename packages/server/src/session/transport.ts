import type { WireFormat } from '../channels/outbound-frame.js';

/** One live socket, as the engine sees it; the host implements it over `ws` or comet. */
export interface Transport {
  readonly format: WireFormat;
  /** What carries it (`websocket`, `comet`, `sse`), for logs; `unknown` when absent. */
  readonly kind?: string;
  /** Sends one encoded ProtocolMessage (text frame for JSON, binary for msgpack). */
  send(bytes: Buffer): void;
  /** A transport-level keep-alive (a WebSocket ping frame). */
  ping(): void;
  /** Closes the socket; `abort` drops it at once without waiting for buffered data. */
  close(abort?: boolean): void;
  /** Bytes accepted but not yet written to the network. */
  bufferedBytes(): number;
}

/** What the host calls on a connection: frames in, and the socket going away. */
export interface ConnectionHandle {
  /**
   * The connection key the CONNECTED on this transport carried (undefined when the connection
   * was refused): HTTP transports address their later requests by it.
   */
  readonly connectionKey: string | undefined;
  receive(data: Buffer | string): void;
  transportClosed(): void;
}
