import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@switchboard/server-node';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(content: unknown): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('notifications.catalog in the config file', () => {
  it('is read per app and event, with a nudge interval under limits', () => {
    const catalog = { mediation: { 'partner.advanced': { title: 'On to {toStage}', body: 'Go' } } };
    const config = loadConfig(
      { config: configFile({ notifications: { catalog }, limits: { nudgeIntervalMs: 60_000 } }) },
      {},
    );
    expect(config.notifications).toEqual({ catalog });
    expect(config.limits.nudgeIntervalMs).toBe(60_000);
  });

  it('refuses an entry without title and body at startup, naming it', () => {
    const file = configFile({
      notifications: { catalog: { '*': { 'session.paused': 'Paused' } } },
    });
    expect(() => loadConfig({ config: file }, {})).toThrow(/\*\["session.paused"\]/);
  });
});
