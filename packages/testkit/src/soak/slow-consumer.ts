import type * as Ably from 'ably';
import { rawClient } from '../raw-client.js';

/** What one slow-consumer round saw. */
export type SlowConsumerOutcome = { cut: true } | { cut: false; why: string };

// Two per publish stay under maxMessageSize (64 KB), which limits a whole publish.
const FIREHOSE_MESSAGE = 'f'.repeat(30_000);
/** Enough to pass the kernel's socket buffers on both ends and then the server's limit. */
const FIREHOSE_MESSAGES = 400;

/**
 * One round: a raw connection attaches to `channel` and stops reading its socket, `rest`
 * publishes 12 MB there, then the connection reads again and must find its socket ended by
 * the server's outbound limit (80003) before the last of them.
 */
export async function slowConsumerRound(
  port: number,
  key: string,
  rest: Ably.Rest,
  channel: string,
): Promise<SlowConsumerOutcome> {
  const slow = await rawClient(port, { key, format: 'json' });
  try {
    await slow.next((pm) => pm.action === 4, 15_000);
    slow.send({ action: 10, channel });
    await slow.next((pm) => pm.action === 11 && pm.channel === channel, 15_000);
    slow.socket.pause();
    const target = rest.channels.get(channel);
    for (let i = 0; i < FIREHOSE_MESSAGES; i += 2) {
      await target.publish([
        { name: 'firehose', data: FIREHOSE_MESSAGE },
        { name: 'firehose', data: FIREHOSE_MESSAGE },
      ]);
    }
    slow.socket.resume();
    const ended = await Promise.race([
      slow.closed().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 30_000)),
    ]);
    // The server aborts the socket (its buffer, DISCONNECTED 80003 included, is discarded):
    // the sign of the cut is a socket that ended before all the firehose arrived.
    if (!ended) return { cut: false, why: 'still open 30 s after it read again' };
    const got = slow.received
      .filter((pm) => pm.action === 15)
      .reduce((n, pm) => n + (pm.messages?.length ?? 0), 0);
    if (got >= FIREHOSE_MESSAGES)
      return { cut: false, why: `got all ${got} messages before the socket ended` };
    const other = slow.received.find((pm) => pm.action === 6 && pm.error?.code !== 80003);
    if (other) return { cut: false, why: `DISCONNECTED ${other.error?.code}` };
    return { cut: true };
  } finally {
    slow.socket.terminate();
  }
}
