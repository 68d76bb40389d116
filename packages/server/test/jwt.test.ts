import { createHmac } from 'node:crypto';
import { DEFAULT_LIMITS, createEngine, createMemoryStore, type Engine } from '@switchboard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The JWT verifier is exercised through the engine's REST entry (no sockets): every way a JWT
// can be wrong must come back as the right ErrorInfo, never as a 500 or a pass.

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function jwt(
  secret: string,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

let engine: Engine;
let keyName = '';
let secret = '';
let limitedKeyName = '';
let limitedSecret = '';

beforeAll(async () => {
  engine = await createEngine({ store: createMemoryStore() });
  const app = await engine.createApp({
    keys: [{}, { capability: JSON.stringify({ 'only:*': ['subscribe', 'history'] }) }],
  });
  [keyName, secret] = [app.keys[0]!.keyName, app.keys[0]!.secret];
  [limitedKeyName, limitedSecret] = [app.keys[1]!.keyName, app.keys[1]!.secret];
});
afterAll(() => engine.close());

const now = (): number => Math.floor(Date.now() / 1000);
const good = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iat: now(),
  exp: now() + 600,
  'x-ably-capability': '{"*":["*"]}',
  ...extra,
});

async function history(token: string, channel = 'room', encode = true) {
  const res = await engine.handleRest({
    method: 'GET',
    path: `/channels/${channel}/messages`,
    query: new URLSearchParams(),
    headers: {
      authorization: `Bearer ${encode ? Buffer.from(token).toString('base64') : token}`,
      accept: 'application/json',
    },
    body: Buffer.alloc(0),
  });
  const body = JSON.parse(res.body.toString('utf8') || 'null') as {
    error?: { code: number; statusCode: number; message: string };
  } | null;
  return { status: res.status, error: body && !Array.isArray(body) ? body.error : undefined };
}

describe('Ably JWT verification (TN3, RSA8)', () => {
  it('RSA8: accepts an HS256 JWT signed by the key secret, base64 in Bearer (as ably-js sends) or raw', async () => {
    const token = jwt(secret, { alg: 'HS256', typ: 'JWT', kid: keyName }, good());
    expect((await history(token)).status).toBe(200);
    expect((await history(token, 'room', false)).status).toBe(200);
  });

  it('RSA9 by analogy: the capability is intersected with the key capability', async () => {
    const token = jwt(limitedSecret, { alg: 'HS256', kid: limitedKeyName }, good());
    expect((await history(token, 'only:a')).status).toBe(200);
    expect((await history(token, 'elsewhere')).error).toMatchObject({ code: 40160 });
    const disjoint = jwt(
      limitedSecret,
      { alg: 'HS256', kid: limitedKeyName },
      good({ 'x-ably-capability': '{"other":["*"]}' }),
    );
    expect((await history(disjoint, 'only:a')).error).toMatchObject({ code: 40160 });
  });

  it('RSA4b: an expired JWT is 40142 (401)', async () => {
    const token = jwt(
      secret,
      { alg: 'HS256', kid: keyName },
      good({ iat: now() - 20, exp: now() - 10 }),
    );
    expect(await history(token)).toMatchObject({
      status: 401,
      error: { code: 40142, statusCode: 401 },
    });
  });

  const header = (): Record<string, unknown> => ({ alg: 'HS256', kid: keyName });
  const invalid: [string, () => string][] = [
    ['alg none, unsigned', () => `${b64({ alg: 'none', kid: keyName })}.${b64(good())}.`],
    ['alg none, signed anyway', () => jwt(secret, { alg: 'none', kid: keyName }, good())],
    ['alg HS512', () => jwt(secret, { alg: 'HS512', kid: keyName }, good())],
    ['alg RS256', () => jwt(secret, { alg: 'RS256', kid: keyName }, good())],
    ['no alg', () => jwt(secret, { kid: keyName }, good())],
    ['no kid', () => jwt(secret, { alg: 'HS256' }, good())],
    ['unknown kid', () => jwt(secret, { alg: 'HS256', kid: 'nosuch.key' }, good())],
    ['signed by another key', () => jwt(limitedSecret, header(), good())],
    [
      'payload altered after signing',
      () => {
        const [h, , s] = jwt(secret, header(), good()).split('.');
        return `${h}.${b64(good({ 'x-ably-clientId': 'someone-else' }))}.${s}`;
      },
    ],
    ['truncated signature', () => jwt(secret, header(), good()).slice(0, -4)],
    ['header not JSON', () => `${b64('not json')}.${b64(good())}.${b64('sig')}`],
    ['header a JSON array', () => jwt(secret, [] as unknown as Record<string, unknown>, good())],
    [
      'payload not JSON',
      () => {
        const input = `${b64(header())}.${b64('{oops')}`;
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    ['no exp', () => jwt(secret, header(), { iat: now(), 'x-ably-capability': '{"*":["*"]}' })],
    [
      'no iat',
      () => jwt(secret, header(), { exp: now() + 60, 'x-ably-capability': '{"*":["*"]}' }),
    ],
    ['exp as a string', () => jwt(secret, header(), good({ exp: String(now() + 60) }))],
    ['exp before iat', () => jwt(secret, header(), good({ iat: now() + 60, exp: now() + 30 }))],
    [
      'living longer than maxTokenTtlMs',
      () => jwt(secret, header(), good({ exp: now() + DEFAULT_LIMITS.maxTokenTtlMs / 1000 + 10 })),
    ],
    [
      'iat far in the future',
      () => {
        const iat = now() + DEFAULT_LIMITS.tokenRequestWindowMs / 1000 + 60;
        return jwt(secret, header(), good({ iat, exp: iat + 60 }));
      },
    ],
    ['no capability', () => jwt(secret, header(), { iat: now(), exp: now() + 60 })],
    [
      'capability as an object',
      () => jwt(secret, header(), good({ 'x-ably-capability': { '*': ['*'] } })),
    ],
    ['capability not JSON', () => jwt(secret, header(), good({ 'x-ably-capability': '{*' }))],
    [
      'capability with an unknown op',
      () => jwt(secret, header(), good({ 'x-ably-capability': '{"*":["fly"]}' })),
    ],
    ['an embedded Ably token', () => jwt(secret, header(), good({ 'x-ably-token': 'abc' }))],
    ['empty clientId', () => jwt(secret, header(), good({ 'x-ably-clientId': '' }))],
    ['numeric clientId', () => jwt(secret, header(), good({ 'x-ably-clientId': 7 }))],
  ];
  it.each(invalid)('TN3: a JWT with %s is refused with 40144 (401)', async (_name, make) => {
    const result = await history(make());
    expect(result).toMatchObject({ status: 401, error: { code: 40144, statusCode: 401 } });
    expect(result.error?.message).toMatch(/^Invalid JWT: /);
  });

  it('RSA8: a token that is neither ours nor JWT-shaped stays 40143', async () => {
    expect((await history('not-a-token')).error).toMatchObject({ code: 40143 });
  });
});
