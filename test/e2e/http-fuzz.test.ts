import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFuzzer } from '@switchboard/testkit/fuzz';
import { rawExchange, timeStatus, type RawReply } from './raw-http.js';
import { spawnServer, type ServerProcess } from './server-process.js';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 0x5b0a2d);
const BATCHES = 16;
const REST_PER_BATCH = 50;
const UPGRADES_PER_BATCH = 15;
const CONCURRENCY = 20;

/** Runs tasks with at most `n` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

describe('HTTP and upgrade fuzz (spawned server)', () => {
  let sb: ServerProcess;
  beforeAll(async () => {
    sb = await spawnServer();
  });
  afterAll(async () => {
    await sb.close();
  });

  it(`hostile requests never crash the server nor get a 5xx (seed ${SEED})`, async () => {
    const fuzz = createHttpFuzzer(prng(SEED), sb.devKey!);
    const counts = new Map<string, number>();
    const fivexx: string[] = [];
    let sent = 0;
    const tally = (input: Buffer, reply: RawReply): void => {
      const key =
        reply.status === undefined ? (reply.closed ? 'closed' : 'timeout') : String(reply.status);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (reply.status !== undefined && reply.status >= 500)
        fivexx.push(
          `${reply.status} for ${JSON.stringify(input.toString('latin1').slice(0, 160))}`,
        );
    };
    for (let batch = 0; batch < BATCHES; batch++) {
      const inputs = [
        ...Array.from({ length: REST_PER_BATCH }, () => ({
          bytes: fuzz.restRequest(),
          upgrade: false,
        })),
        ...Array.from({ length: UPGRADES_PER_BATCH }, () => ({
          bytes: fuzz.upgradeRequest(),
          upgrade: true,
        })),
      ];
      const replies = await pool(
        inputs.map(
          (input) => () =>
            rawExchange(sb.port, input.bytes, {
              timeoutMs: input.upgrade ? 400 : 1500,
              closeAfterFirstResponse: input.upgrade,
            }),
        ),
        CONCURRENCY,
      );
      replies.forEach((reply, i) => tally(inputs[i]!.bytes, reply));
      sent += inputs.length;
      expect(sb.alive(), `server died in batch ${batch}: ${sb.output().slice(-2000)}`).toBe(true);
      const time = await timeStatus(sb.port).catch(() => 0);
      expect(time, `GET /time after batch ${batch}: ${sb.output().slice(-2000)}`).toBe(200);
    }
    const summary = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    console.log(`http-fuzz seed=${SEED} inputs=${sent} statuses ${summary}`);
    expect(fivexx).toEqual([]);
    expect(sb.output()).not.toMatch(/uncaught|TypeError|RangeError/i);
  });
});
