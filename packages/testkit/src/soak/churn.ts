import * as Ably from 'ably';
import { rawClient } from '../raw-client.js';
import type { Random } from '../chaos/random.js';

/** Counts of the churn so far. */
export interface ChurnCounts {
  opened: number;
  closed: number;
  dropped: number;
  presenceEntered: number;
}

/** Where churned connections go and what they report. */
export interface ChurnTarget {
  port: number;
  key: string;
  options: (format: 'msgpack' | 'json') => Ably.ClientOptions;
  presenceChannel: string;
  random: Random;
  onError: (what: string) => void;
}

/** `p`, or a rejection after `ms`; a late rejection of `p` is then ignored, not unhandled. */
const settle = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  p.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/**
 * One short-lived connection: an official client that attaches, maybe enters presence, lives a
 * few seconds and closes cleanly; or a raw one that attaches, enters presence and then drops its
 * socket without a word, so the server keeps its state for a resume that never comes.
 */
export async function churnOnce(
  target: ChurnTarget,
  n: number,
  counts: ChurnCounts,
): Promise<void> {
  const { random } = target;
  const clientId = `churn-${n}`;
  const channel = `soak:churn-${n % 20}`;
  const lifeMs = random.int(500, 5000);
  counts.opened++;
  if (random.next() < 0.3) {
    const raw = await rawClient(target.port, { key: target.key, clientId, format: 'msgpack' });
    try {
      await raw.next((pm) => pm.action === 4, 15_000);
      raw.send({ action: 10, channel: target.presenceChannel });
      await raw.next((pm) => pm.action === 11, 15_000);
      raw.send({
        action: 14,
        channel: target.presenceChannel,
        msgSerial: 0,
        presence: [{ action: 2, clientId, data: 'churn' }],
      });
      const ack = await raw.next((pm) => pm.action === 1 || pm.action === 2, 15_000);
      if (ack.action === 2) target.onError(`churn presence enter NACKed ${ack.error?.code}`);
      else counts.presenceEntered++;
      await new Promise((r) => setTimeout(r, lifeMs));
    } catch (err) {
      target.onError(`churn raw client: ${(err as Error).message}`);
    } finally {
      raw.socket.terminate();
      counts.dropped++;
    }
    return;
  }
  const client = new Ably.Realtime({
    ...target.options(n % 2 ? 'json' : 'msgpack'),
    key: target.key,
    clientId,
    logLevel: 0,
  });
  try {
    const ch = client.channels.get(channel);
    await settle(
      ch.subscribe(() => {}),
      15_000,
      'churn attach',
    );
    if (random.next() < 0.5) {
      await settle(
        client.channels.get(target.presenceChannel).presence.enter('churn'),
        15_000,
        'churn presence enter',
      );
      counts.presenceEntered++;
    }
    await new Promise((r) => setTimeout(r, lifeMs));
  } catch (err) {
    target.onError(`churn client: ${(err as Error).message}`);
  } finally {
    client.close();
    counts.closed++;
  }
}
