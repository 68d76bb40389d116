import type * as Ably from 'ably';
import type { PublishLedger, Delivery } from './tally.js';
import { messageId } from './tally.js';
import type { Random } from './random.js';

/** Wire formats a chaos client speaks. */
export type Format = 'msgpack' | 'json';

/** A client in the run, so the end can check it is connected and close it. */
export interface ChaosClient {
  name: string;
  realtime: Ably.Realtime;
  /** Connections after the first that had a new id (resumes that failed). */
  newConnections: number;
}

/** Follows `client`'s connection ids, counting the resumes that failed. */
export function trackClient(name: string, client: Ably.Realtime): ChaosClient {
  const entry: ChaosClient = { name, realtime: client, newConnections: 0 };
  // A connection id that changes means a resume failed (RTN15c7): pending publishes are then
  // resent with new msgSerials, where only their ids keep them from being stored twice.
  let lastId: string | undefined;
  client.connection.on('connected', () => {
    if (lastId !== undefined && client.connection.id !== lastId) entry.newConnections++;
    lastId = client.connection.id;
  });
  return entry;
}

/** The code of a failed publish; `connection` when ably-js gave up without a server answer. */
function failure(err: unknown): { code: string; refused: boolean } {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'number') return { code: 'unknown', refused: false };
  // 4xxxx is the server's answer (a NACK or a REST refusal); 5xxxx/8xxxx say nothing was decided.
  return { code: String(code), refused: code >= 40000 && code < 50000 };
}

/**
 * Publishes at `rate` messages/s with ids `<name>:<seq>` until stopped, without waiting for
 * answers (as an app firing events does), so many publishes are in flight across each fault.
 */
export function startPublisher(
  name: string,
  kind: string,
  rate: number,
  ledger: PublishLedger,
  send: (message: { id: string; name: string; data: string }) => Promise<unknown>,
  sequential = false,
): { stop(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  let seq = 0;
  let due = 0;
  let last = performance.now();
  let stopped = false;
  const one = (): Promise<void> => {
    const id = messageId(name, seq);
    const data = String(seq++);
    ledger.attempt(kind);
    const p = send({ id, name: 'chaos', data }).then(
      () => ledger.ack(kind, id),
      (err: unknown) => {
        const f = failure(err);
        ledger.fail(kind, id, f.code, f.refused);
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };
  // A REST publisher waits for each answer so its own order is defined; realtime ones do not.
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await one();
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (sequential) void loop();
  else
    timer = setInterval(() => {
      const now = performance.now();
      due += ((now - last) * rate) / 1000;
      last = now;
      for (; due >= 1; due--) void one();
    }, 10);
  return {
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.all([...pending]);
    },
  };
}

/** Subscribes to every message on `channel` and counts reported gaps (`resumed: false`). */
export async function subscribe(channel: Ably.RealtimeChannel): Promise<Delivery> {
  const delivery: Delivery = { ids: [], discontinuities: 0 };
  let attachedOnce = false;
  channel.on((change) => {
    if (change.current !== 'attached') return;
    // RTL2f/RTL12: an attach or UPDATE without RESUMED after the first says continuity was lost.
    if (attachedOnce && !change.resumed) delivery.discontinuities++;
    attachedOnce = true;
  });
  await channel.subscribe((m) => {
    if (m.id) delivery.ids.push(m.id);
  });
  attachedOnce = true;
  return delivery;
}

/**
 * A presence member that enters and leaves at random while the run lasts; `settle()` makes its
 * last decision stick once faults have stopped and returns whether it ends present.
 */
export function startMember(
  client: Ably.Realtime,
  channelName: string,
  random: Random,
): { stop(): void; settle(deadline: number): Promise<boolean> } {
  const presence = client.channels.get(channelName).presence;
  let present = false;
  let timer: NodeJS.Timeout | undefined;
  const step = (): void => {
    present = !present;
    // Failures during chaos are expected; settle() applies the last wish for certain.
    void (present ? presence.enter('here') : presence.leave()).catch(() => {});
    timer = setTimeout(step, random.int(100, 800));
  };
  step();
  return {
    stop: () => clearTimeout(timer),
    async settle(deadline) {
      for (;;) {
        try {
          await (present ? presence.enter('here') : presence.leave());
          return present;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
  };
}
