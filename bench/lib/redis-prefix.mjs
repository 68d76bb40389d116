// A Redis key prefix of its own for one cluster run of the bench, removed after it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Connects to Redis (REDIS_URL, else the local one); resolves with the prefix and its cleanup. */
export async function redisBenchPrefix(url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') {
  const admin = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  admin.on('error', () => {});
  try {
    await admin.connect();
  } catch (err) {
    admin.disconnect();
    throw new Error(`Redis unreachable at ${url} (${err.message}); pass --redis <url>`);
  }
  const prefix = `sbbench:${randomBytes(4).toString('hex')}:`;
  return {
    url,
    prefix,
    async drop() {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
      admin.disconnect();
    },
  };
}
