import { createProcessLogger } from '@switchboard/server-node';
import { describe, expect, it } from 'vitest';

function capture(): { lines: string[]; sink: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, sink: { write: (line) => lines.push(line) } };
}

describe('createProcessLogger', () => {
  it('writes one JSON object per line with a text level, ISO time and the fields', () => {
    const { lines, sink } = capture();
    const log = createProcessLogger({ level: 'info', format: 'json' }, sink);
    log.info('connection opened', { connectionId: 'c1', appId: 'a' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', msg: 'connection opened', connectionId: 'c1' });
    expect(new Date(String(entry.time)).toISOString()).toBe(entry.time);
  });

  it('drops lines under the configured level', () => {
    const { lines, sink } = capture();
    const log = createProcessLogger({ level: 'warn', format: 'json' }, sink);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['w', 'e']);
  });

  it('redacts fields named like secrets or payloads, whatever a caller passes', () => {
    const { lines, sink } = capture();
    const log = createProcessLogger({ level: 'info', format: 'json' }, sink);
    log.warn('oops', { key: 'a.b:s3cret', token: 'tok3n', data: 'p4yload', extras: { x: 1 } });
    expect(lines[0]).not.toMatch(/s3cret|tok3n|p4yload/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ key: '[redacted]', data: '[redacted]' });
  });

  it('pretty writes the plain `switchboard:` lines with the fields after the message', () => {
    const { lines, sink } = capture();
    const log = createProcessLogger({ level: 'info', format: 'pretty' }, sink);
    log.info('listening on http://127.0.0.1:8080');
    log.warn('limit hit', { code: 42910, channel: 'room' });
    expect(lines).toEqual([
      'switchboard: listening on http://127.0.0.1:8080\n',
      'switchboard: warn: limit hit code=42910 channel=room\n',
    ]);
  });
});
