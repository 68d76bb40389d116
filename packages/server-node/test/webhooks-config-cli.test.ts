import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyWebhookSignature } from '@switchboard/kit';
import { loadConfig, startSwitchboard } from '@switchboard/server-node';
import * as Ably from 'ably';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchboard-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI as its own process against the data directory. */
function cli(
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, ...args, '--data-dir', join(dir, 'data')], {
    env: { ...process.env, SWITCHBOARD_DATA_DIR: '', SWITCHBOARD_CONFIG: '' },
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    proc.on('close', (status) => resolve({ status, stdout, stderr })),
  );
}

describe('webhook rules from the config file and the CLI', () => {
  it('a config file rule posts matching channel events signed with its key; the CLI lists, adds, removes and resumes rules', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const file = join(dir, 'switchboard.json');
    writeFileSync(
      file,
      JSON.stringify({
        apps: [
          {
            id: 'shop',
            keys: [{ name: 'main', secret: 'top-secret' }],
            webhooks: [{ url, sources: ['channel.message'], channelFilter: '^orders:' }],
          },
        ],
        limits: { webhookBatchMs: 20 },
      }),
    );
    const sb = await startSwitchboard(
      loadConfig({ config: file, port: '0', dataDir: join(dir, 'data') }, {}),
    );
    try {
      const rest = new Ably.Rest({
        key: 'shop.main:top-secret',
        endpoint: '127.0.0.1',
        port: sb.port,
        tls: false,
        useBinaryProtocol: false,
        logLevel: 0,
      });
      await rest.channels.get('other').publish('ignored', 'x');
      await rest.channels.get('orders:1').publish('placed', 'y');
      for (let i = 0; i < 200 && received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(received).toHaveLength(1);
      const hook = received[0]!;
      expect(hook.headers['x-ably-key']).toBe('shop.main');
      const sig = hook.headers['x-ably-signature'] as string;
      expect(verifyWebhookSignature(hook.body, sig, 'top-secret')).toBe(true);
      const { items } = JSON.parse(hook.body) as {
        items: { webhookId: string; data: { channelId: string; messages: { name: string }[] } }[];
      };
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ webhookId: 'hook1', data: { channelId: 'orders:1' } });
      expect(items[0]!.data.messages.map((m) => m.name)).toEqual(['placed']);

      // The delivery as the outbox recorded it (sent once the receiver's 200 is back).
      let shown: { status: string; attempts: number; ruleId: string }[] = [];
      for (let i = 0; i < 40; i++) {
        const out = await cli('webhooks', 'deliveries', 'hook1', '--json');
        expect(out.status).toBe(0);
        shown = JSON.parse(out.stdout) as typeof shown;
        if (shown[0]?.status === 'sent') break;
      }
      expect(shown).toEqual([
        expect.objectContaining({ ruleId: 'hook1', status: 'sent', attempts: 1 }),
      ]);
      const table = await cli('webhooks', 'deliveries', 'hook1');
      expect(table.stdout).toMatch(/STATUS[\s\S]*sent/);
      expect((await cli('webhooks', 'deliveries', 'nope')).status).toBe(2);
      expect((await cli('webhooks', 'deliveries', 'hook1', '--limit', '0')).status).toBe(2);
      const list = await cli('webhooks', 'list', '--json');
      expect(list.status).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([
        {
          id: 'hook1',
          url,
          sources: ['channel.message'],
          channelFilter: '^orders:',
          keyName: 'shop.main',
          paused: false,
        },
      ]);
      const add = await cli(
        'webhooks',
        'add',
        '--url',
        url,
        '--source',
        'channel.presence',
        '--source',
        'channel.lifecycle',
        '--id',
        'extra',
      );
      expect(add.status).toBe(0);
      const text = await cli('webhooks', 'list');
      expect(text.stdout).toContain('extra');
      expect(text.stdout).toContain('channel.presence,channel.lifecycle');
      expect((await cli('webhooks', 'resume', 'extra')).status).toBe(0);
      expect((await cli('webhooks', 'remove', 'extra')).status).toBe(0);
      expect((await cli('webhooks', 'remove', 'extra')).status).toBe(2);
      expect((await cli('webhooks', 'add', '--url', 'nope')).status).toBe(2);
      const after = JSON.parse((await cli('webhooks', 'list', '--json')).stdout) as unknown[];
      expect(after).toHaveLength(1);
    } finally {
      await sb.close();
      receiver.close();
    }
  });
});
