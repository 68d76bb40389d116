import { decodeJson, type ProtocolMessage } from '@switchboard/protocol';
import { decodeMsgpack, encodeMsgpack } from '@switchboard/protocol/msgpack';
import WebSocket from 'ws';

/** A raw protocol client for tests that must send what no well-behaved SDK would. */
export interface RawClient {
  readonly socket: WebSocket;
  readonly received: ProtocolMessage[];
  send(pm: object): void;
  sendRaw(data: Buffer | string, binary: boolean): void;
  /** Resolves with the first received frame matching the predicate (past or future). */
  next(predicate: (pm: ProtocolMessage) => boolean, timeoutMs?: number): Promise<ProtocolMessage>;
  closed(): Promise<void>;
  close(): void;
}

/** Opens a raw WebSocket connection with the given query (format defaults to json). */
export function rawClient(port: number, query: Record<string, string>): Promise<RawClient> {
  const format = query.format ?? 'json';
  const params = new URLSearchParams({ v: '6', format, heartbeats: 'false', ...query });
  const socket = new WebSocket(`ws://127.0.0.1:${port}/?${params}`);
  const received: ProtocolMessage[] = [];
  const waiters: {
    predicate: (pm: ProtocolMessage) => boolean;
    resolve: (pm: ProtocolMessage) => void;
  }[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('message', (data: Buffer, isBinary) => {
    let pm: ProtocolMessage;
    try {
      pm = (isBinary ? decodeMsgpack(data) : decodeJson(data.toString('utf8'))) as ProtocolMessage;
    } catch {
      return;
    }
    received.push(pm);
    for (const w of [...waiters]) {
      if (w.predicate(pm)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(pm);
      }
    }
  });
  const client: RawClient = {
    socket,
    received,
    send(pm) {
      if (format === 'msgpack') socket.send(encodeMsgpack(pm), { binary: true });
      else socket.send(JSON.stringify(pm));
    },
    sendRaw(data, binary) {
      socket.send(data, { binary });
    },
    next(predicate, timeoutMs = 5000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('timed out waiting for a frame')),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (pm) => {
            clearTimeout(timer);
            resolve(pm);
          },
        });
      });
    },
    closed: () => closed,
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('error', reject);
  });
}
