import { createHmac, timingSafeEqual } from 'node:crypto';
import { Errors } from '@switchboard/protocol';
import { randomId } from '../ids.js';

/** What a Switchboard token says about its holder. */
export interface TokenClaims {
  keyName: string;
  /** Capability JSON text. */
  capability: string;
  clientId?: string;
  issued: number;
  expires: number;
  /** Unique per token, so that two tokens issued in one millisecond differ. */
  nonce: string;
}

const PREFIX = 'sbt1';

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/**
 * Signs claims into an opaque token `sbt1.<payload>.<mac>` (base64url, so no `:`), verifiable
 * by any node that knows the key, without a store read.
 */
export function signToken(claims: Omit<TokenClaims, 'nonce'>, secret: string): string {
  const full: TokenClaims = { ...claims, nonce: randomId(6) };
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  return `${PREFIX}.${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** Whether a token string is one of ours (`sbt1.…`) rather than, say, an Ably JWT. */
export function isSwitchboardToken(token: string): boolean {
  return token.startsWith(`${PREFIX}.`);
}

/** Reads claims without checking the signature (to find the key); throws 40143 if not ours. */
export function readTokenClaims(token: string): {
  claims: TokenClaims;
  payload: string;
  mac: string;
} {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) throw Errors.tokenUnrecognized();
  const [, payload, mac] = parts as [string, string, string];
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw Errors.tokenUnrecognized();
  }
  const c = claims as Partial<TokenClaims>;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.keyName !== 'string' ||
    typeof c.capability !== 'string' ||
    typeof c.issued !== 'number' ||
    typeof c.expires !== 'number'
  ) {
    throw Errors.tokenUnrecognized();
  }
  return { claims: c as TokenClaims, payload, mac };
}

/** Verifies a token's signature in constant time and its expiry; returns its claims. */
export function verifyToken(token: string, secret: string, now: number): TokenClaims {
  const { claims, payload, mac } = readTokenClaims(token);
  const expected = sign(secret, payload);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw Errors.tokenUnrecognized();
  }
  if (claims.expires <= now) throw Errors.tokenExpired();
  return claims;
}
