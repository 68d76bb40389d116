import { createHmac, timingSafeEqual } from 'node:crypto';
import { Errors, isErrorInfo, parseCapability, type Capability } from '@switchboard/protocol';
import type { Limits } from '../limits.js';

/**
 * Ably JWTs (docs: auth/token#jwt, TN3): HS256-signed by an app key's secret, header `kid` = the
 * key name, claims `iat`/`exp` in seconds, `x-ably-capability` (JSON text) and an optional
 * `x-ably-clientId`. Embedded Ably tokens (`x-ably-token`) are not supported.
 */

/** What a verified Ably JWT grants, with times in milliseconds like our own tokens. */
export interface JwtClaims {
  keyName: string;
  /** The capability as the JWT states it, before intersection with the key's. */
  capability: Capability;
  clientId?: string;
  /** `ably.room.<room>` claims: the user claim the Chat API attaches in that room. */
  roomClaims?: Record<string, string>;
  issued: number;
  expires: number;
}

/** A JWT split and decoded, not yet verified. */
export interface ParsedJwt {
  keyName: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** The limits a JWT's lifetime is held to. */
export type JwtLimits = Pick<Limits, 'maxTokenTtlMs' | 'tokenRequestWindowMs'>;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE = /^[A-Za-z0-9_-]*$/;

/**
 * Whether a token string has the shape of a JWT (three base64url parts). The signature part may
 * be empty, so that an unsigned `alg: none` JWT is refused as an invalid JWT (40144), not as an
 * unknown token.
 */
export function isJwtShaped(token: string): boolean {
  const parts = token.split('.');
  return (
    parts.length === 3 &&
    SEGMENT.test(parts[0] ?? '') &&
    SEGMENT.test(parts[1] ?? '') &&
    SIGNATURE.test(parts[2] ?? '')
  );
}

function decodeObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw Errors.invalidJwt(`${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw Errors.invalidJwt(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Splits and decodes a JWT and checks its header: only HS256 is accepted (never `none`, never an
 * algorithm the client picks), and `kid` must name a key. Throws 40144 otherwise.
 */
export function parseJwt(token: string): ParsedJwt {
  if (!isJwtShaped(token)) throw Errors.invalidJwt('not three base64url parts');
  const [h, p, s] = token.split('.') as [string, string, string];
  const header = decodeObject(h, 'header');
  if (header.alg !== 'HS256') {
    throw Errors.invalidJwt(`alg ${JSON.stringify(header.alg) ?? 'missing'} is not HS256`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw Errors.invalidJwt('header has no kid (the key name)');
  }
  const payload = decodeObject(p, 'payload');
  return {
    keyName: header.kid,
    header,
    payload,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

function seconds(payload: Record<string, unknown>, claim: string): number {
  const value = payload[claim];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw Errors.invalidJwt(`${claim} claim missing or not a number`);
  }
  return value * 1000;
}

function capabilityClaim(payload: Record<string, unknown>): Capability {
  const text = payload['x-ably-capability'];
  if (typeof text !== 'string') throw Errors.invalidJwt('x-ably-capability must be JSON text');
  try {
    return parseCapability(text);
  } catch (err) {
    const detail = isErrorInfo(err) ? err.message : 'unreadable';
    throw Errors.invalidJwt(`x-ably-capability: ${detail}`);
  }
}

/**
 * Verifies a parsed JWT against its key's secret, then its claims. The signature is compared in
 * constant time and checked before any claim, so an unsigned JWT learns nothing from the answer.
 * An expired JWT is 40142, so the client renews as for an expired token (RSA4b, RTN14b); every
 * other fault is 40144. A JWT must carry `iat` and `exp`, may not live longer than
 * `maxTokenTtlMs` nor be issued further in the future than `tokenRequestWindowMs`: revocations
 * (RSA17) are forgotten `maxTokenTtlMs` after they apply, so no credential may outlive that.
 */
export function verifyJwt(
  jwt: ParsedJwt,
  secret: string,
  now: number,
  limits: JwtLimits,
): JwtClaims {
  const expected = createHmac('sha256', secret).update(jwt.signingInput).digest();
  if (jwt.signature.length !== expected.length || !timingSafeEqual(jwt.signature, expected)) {
    throw Errors.invalidJwt('signature does not match the key');
  }
  const issued = seconds(jwt.payload, 'iat');
  const expires = seconds(jwt.payload, 'exp');
  if (expires <= now) throw Errors.tokenExpired();
  if (expires <= issued) throw Errors.invalidJwt('exp is not after iat');
  if (expires - issued > limits.maxTokenTtlMs) {
    throw Errors.invalidJwt(`lifetime exceeds ${limits.maxTokenTtlMs} ms`);
  }
  if (issued > now + limits.tokenRequestWindowMs) throw Errors.invalidJwt('iat is in the future');
  if ('x-ably-token' in jwt.payload) {
    // An embedded Ably token would carry its own rights; refuse it rather than ignore it.
    throw Errors.invalidJwt('embedded Ably tokens (x-ably-token) are not supported');
  }
  const capability = capabilityClaim(jwt.payload);
  const clientId = jwt.payload['x-ably-clientId'];
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw Errors.invalidJwt('x-ably-clientId must be a non-empty string');
  }
  const roomClaims: Record<string, string> = {};
  for (const [claim, value] of Object.entries(jwt.payload)) {
    if (!claim.startsWith('ably.room.') || claim.length === 'ably.room.'.length) continue;
    if (typeof value !== 'string') throw Errors.invalidJwt(`${claim} must be a string`);
    roomClaims[claim.slice('ably.room.'.length)] = value;
  }
  return {
    keyName: jwt.keyName,
    capability,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(Object.keys(roomClaims).length > 0 ? { roomClaims } : {}),
    issued,
    expires,
  };
}
