import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startSwitchboard } from '@switchboard/server-node';
import { startExpoStandIn } from '@switchboard/testkit';
import * as Ably from 'ably';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-push-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('choosing the push sender from config', () => {
  it('records only by default: no push.expo without EXPO_ACCESS_TOKEN or SWITCHBOARD_EXPO_URL', () => {
    expect(loadConfig({}, {}).push).toBeUndefined();
    expect(loadConfig({}, { EXPO_ACCESS_TOKEN: '' }).push).toBeUndefined();
  });

  it('EXPO_ACCESS_TOKEN and SWITCHBOARD_EXPO_URL turn Expo on; a URL must be http(s)', () => {
    expect(loadConfig({}, { EXPO_ACCESS_TOKEN: 'tok' }).push).toEqual({
      expo: { accessToken: 'tok' },
    });
    expect(loadConfig({}, { SWITCHBOARD_EXPO_URL: 'http://127.0.0.1:9' }).push).toEqual({
      expo: { url: 'http://127.0.0.1:9' },
    });
    expect(() => loadConfig({}, { SWITCHBOARD_EXPO_URL: 'exp.host' })).toThrow(TypeError);
  });

  it('a server started with SWITCHBOARD_EXPO_URL sends pushes there', async () => {
    const standIn = await startExpoStandIn();
    const config = loadConfig(
      { port: '0', dataDir: join(dir, 'data') },
      { SWITCHBOARD_EXPO_URL: standIn.url },
    );
    const sb = await startSwitchboard(config, { memoryStore: true });
    try {
      const rest = new Ably.Rest({
        key: sb.developmentKey!,
        endpoint: '127.0.0.1',
        port: sb.port,
        tls: false,
        useBinaryProtocol: false,
        logLevel: 0,
      });
      const expoPushToken = 'ExponentPushToken[cccccccccccccccccccccc]';
      await rest.push.admin.publish(
        { transportType: 'expo', expoPushToken },
        { notification: { title: 'hello', body: 'there' } },
      );
      const pushes = await standIn.waitForPushes(1);
      expect(pushes[0]).toMatchObject({ to: expoPushToken, title: 'hello', body: 'there' });
    } finally {
      await sb.close();
      await standIn.close();
    }
  });
});
