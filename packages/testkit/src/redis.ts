import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Where tests find Redis unless SWITCHBOARD_TEST_REDIS_URL says otherwise. */
const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** A key prefix of its own for one test file in the shared Redis. */
export interface RedisTestPrefix {
  readonly url: string;
  /** `sbtest:<random>:` */
  readonly prefix: string;
  /** A fresh prefix under this one, for a case that wants an empty cluster. */
  child(): string;
  /** Deletes every key under the prefix and disconnects. */
  drop(): Promise<void>;
}

/**
 * Creates a key prefix for a test file. When Redis cannot be reached this fails under `CI=true`
 * (a missing service is a failure there) and otherwise prints one line naming what to start and
 * resolves undefined, so the caller skips its tests.
 */
export async function redisTestPrefix(label: string): Promise<RedisTestPrefix | undefined> {
  const url = process.env.SWITCHBOARD_TEST_REDIS_URL ?? DEFAULT_URL;
  const admin = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  admin.on('error', () => {});
  try {
    await admin.connect();
    await admin.ping();
  } catch (err) {
    admin.disconnect();
    const reason = `Redis unreachable at ${url} (${(err as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${label}: ${reason}`);
    console.warn(
      `${label}: skipped: ${reason}; start redis-server or set SWITCHBOARD_TEST_REDIS_URL`,
    );
    return undefined;
  }
  const prefix = `sbtest:${randomBytes(6).toString('hex')}:`;
  let children = 0;
  return {
    url,
    prefix,
    child: () => `${prefix}${++children}:`,
    async drop() {
      let cursor = '0';
      do {
        const [next, found] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await admin.del(...found);
      } while (cursor !== '0');
      admin.disconnect();
    },
  };
}
