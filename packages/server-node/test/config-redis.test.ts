import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@switchboard/server-node';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-redis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('joining a cluster from config', () => {
  it('one node in memory stays the default; an empty REDIS_URL is unset', () => {
    expect(loadConfig({}, {}).redisUrl).toBeUndefined();
    expect(loadConfig({}, { REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it('--redis wins over REDIS_URL, which wins over the file; prefix and node id are read', () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ redisUrl: 'redis://file:6379', redisPrefix: 'f:', nodeId: 'n-file' }),
    );
    expect(loadConfig({ config: file }, {})).toMatchObject({
      redisUrl: 'redis://file:6379',
      redisPrefix: 'f:',
      nodeId: 'n-file',
    });
    const env = { REDIS_URL: 'redis://env:6379', SWITCHBOARD_REDIS_PREFIX: 'e:' };
    expect(loadConfig({ config: file }, env)).toMatchObject({
      redisUrl: 'redis://env:6379',
      redisPrefix: 'e:',
    });
    expect(loadConfig({ config: file, redis: 'redis://flag:6379' }, env).redisUrl).toBe(
      'redis://flag:6379',
    );
    expect(loadConfig({}, { SWITCHBOARD_NODE_ID: 'n-env' }).nodeId).toBe('n-env');
  });
});
