import { connect } from 'node:net';
import { createCapturingLogger, startTestServer } from '@switchboard/testkit';
import { describe, expect, it } from 'vitest';

// Regression tests for what `npm run fuzz` found, one per finding.
describe('fuzz findings', () => {
  it('a client that hangs up mid-body is no server error', async () => {
    const capture = createCapturingLogger();
    const server = await startTestServer({ logger: capture.logger });
    try {
      const socket = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      // Expect: 100-continue makes the server say when it has the head and awaits the body.
      const continued = new Promise<void>((resolve) =>
        socket.on('data', (d: Buffer) => {
          if (d.toString('latin1').startsWith('HTTP/1.1 100')) resolve();
        }),
      );
      socket.write(
        'POST /channels/x/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Authorization: Basic ${Buffer.from(server.key).toString('base64')}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n' +
          'Expect: 100-continue\r\n\r\n',
      );
      await continued;
      socket.write('{"name":');
      socket.destroy();
      const gone = await capture.waitFor((e) => e.message === 'client went away mid-request');
      expect(gone.level).toBe('debug');
      expect(gone.fields).toMatchObject({ method: 'POST', path: '/channels/x/messages' });
      expect(capture.entries.filter((e) => e.level === 'error')).toEqual([]);
      // And the server goes on serving.
      expect((await fetch(`http://127.0.0.1:${server.port}/time`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('an error message quoting a lone surrogate is a 400, not a 500', async () => {
    const server = await startTestServer();
    try {
      const res = await fetch(
        `http://127.0.0.1:${server.port}/keys/${server.keys[0]!.keyName}/requestToken`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(server.key).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ ttl: '\ud800' }),
        },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('x-ably-errorcode')).toBe('40003');
      expect(decodeURIComponent(res.headers.get('x-ably-errormessage')!)).toBe(
        'Invalid ttl: \ufffd',
      );
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(40003);
    } finally {
      await server.close();
    }
  });

  it('a deeply nested ttl or capability operation is a 400, not a stack overflow', async () => {
    const server = await startTestServer();
    const deep = '['.repeat(50_000) + '1' + ']'.repeat(50_000);
    try {
      for (const [body, message] of [
        [`{"ttl":${deep}}`, 'Invalid ttl: an array'],
        [`{"capability":{"x":[${deep}]}}`, 'Invalid capability operation: an array'],
      ] as const) {
        const res = await fetch(
          `http://127.0.0.1:${server.port}/keys/${server.keys[0]!.keyName}/requestToken`,
          {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(server.key).toString('base64')}`,
              'content-type': 'application/json',
            },
            body,
          },
        );
        expect(await res.json()).toEqual({
          error: { message, code: 40003, statusCode: 400 },
        });
      }
    } finally {
      await server.close();
    }
  });

  it('deep arrays where text belongs: batch channels, stats interval ids, signed token fields', async () => {
    const server = await startTestServer();
    const deep = '['.repeat(50_000) + '1' + ']'.repeat(50_000);
    const keyName = server.keys[0]!.keyName;
    const post = async (path: string, body: string): Promise<unknown> => {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(server.key).toString('base64')}`,
          'content-type': 'application/json',
        },
        body,
      });
      return { status: res.status, body: await res.json() };
    };
    try {
      expect(await post('/messages', `{"channels":[${deep}],"messages":{"data":"x"}}`)).toEqual({
        status: 400,
        body: {
          error: { message: 'Batch channels must be strings', code: 40000, statusCode: 400 },
        },
      });
      // An interval id that is not one is skipped, as before.
      expect(await post('/stats', `[{"intervalId":${deep}}]`)).toMatchObject({ status: 201 });
      expect(
        await post(
          `/keys/${keyName}/requestToken`,
          `{"keyName":"${keyName}","mac":"x","nonce":"y","ttl":${deep}}`,
        ),
      ).toEqual({
        status: 401,
        body: { error: { message: 'Invalid MAC', code: 40101, statusCode: 401 } },
      });
    } finally {
      await server.close();
    }
  });
});
