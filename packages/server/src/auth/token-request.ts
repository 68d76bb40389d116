import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  Errors,
  FULL_CAPABILITY,
  intersectCapabilities,
  parseCapability,
  stringifyCapability,
  type Capability,
} from '@switchboard/protocol';
import type { AppRegistry } from '../apps/app-registry.js';
import type { Limits } from '../limits.js';
import type { KeyRecord } from '../ports/store.js';
import type { NonceCache } from './nonce-cache.js';
import { signToken } from './token.js';

/** The TokenDetails a token request is answered with (spec TD). */
export interface TokenDetails {
  token: string;
  keyName: string;
  issued: number;
  expires: number;
  capability: string;
  clientId?: string;
}

/** Parameters for issuing a token, however they arrived. */
export interface TokenParams {
  ttl?: unknown;
  capability?: unknown;
  clientId?: unknown;
}

type Obj = Record<string, unknown>;

function field(value: unknown): string {
  if (value === undefined || value === null) return '';
  // Signers sign text and numbers only; String() of a deeply nested array would recurse to a
  // stack overflow (found by `npm run fuzz`). A NUL never matches a signature.
  return typeof value === 'object' ? '\u0000' : String(value);
}

/** Issues a token for a key after checking ttl, capability and clientId (spec RSA9, RSA10). */
export function issueToken(
  registry: AppRegistry,
  keyName: string,
  params: TokenParams,
  limits: Limits,
  now: number,
): TokenDetails {
  const key = registry.findKey(keyName);
  if (!key) throw Errors.notFound(`Key not found: ${keyName}`);
  return tokenForKey(key, params, limits, now);
}

/**
 * Signs a token with a key the caller already holds, as `issueToken` does: ttl checked against
 * `maxTokenTtlMs`, the requested capability intersected with the key's (RSA10). The operator CLI
 * mints tokens this way from the store, without a running server.
 */
export function tokenForKey(
  key: Pick<KeyRecord, 'keyName' | 'secret' | 'capability'> & { parsedCapability?: Capability },
  params: TokenParams,
  limits: Pick<Limits, 'defaultTokenTtlMs' | 'maxTokenTtlMs'>,
  now: number,
): TokenDetails {
  let ttl = limits.defaultTokenTtlMs;
  if (params.ttl !== undefined && params.ttl !== null && params.ttl !== '') {
    // Only numbers and numeric text: Number() or String() of a deeply nested array recurses to
    // a stack overflow, a 500 (found by `npm run fuzz`).
    const ttlIn: unknown = params.ttl;
    const scalar = typeof ttlIn === 'number' || typeof ttlIn === 'string';
    const n = scalar ? Number(ttlIn) : NaN;
    if (!Number.isFinite(n) || n <= 0 || n > limits.maxTokenTtlMs) {
      throw Errors.invalidParameter(
        `Invalid ttl: ${scalar ? String(ttlIn).slice(0, 100) : Array.isArray(ttlIn) ? 'an array' : typeof ttlIn}`,
      );
    }
    ttl = n;
  }
  const requested =
    params.capability === undefined || params.capability === null || params.capability === ''
      ? FULL_CAPABILITY
      : parseCapability(params.capability);
  const keyCapability =
    key.parsedCapability ?? (key.capability ? parseCapability(key.capability) : FULL_CAPABILITY);
  const capability = stringifyCapability(intersectCapabilities(requested, keyCapability));
  let clientId: string | undefined;
  if (params.clientId !== undefined && params.clientId !== null) {
    if (typeof params.clientId !== 'string' || params.clientId === '') {
      throw Errors.invalidClientId('clientId must be a non-empty string');
    }
    clientId = params.clientId;
  }
  const claims = {
    keyName: key.keyName,
    capability,
    issued: now,
    expires: now + ttl,
    ...(clientId ? { clientId } : {}),
  };
  return { token: signToken(claims, key.secret), ...claims };
}

/**
 * Verifies a signed TokenRequest (spec RSA9): key, MAC over the seven newline-terminated fields,
 * timestamp window and nonce reuse; then issues the token once its nonce is in the store (or,
 * while the store is down, held to be written later).
 */
export async function redeemTokenRequest(
  registry: AppRegistry,
  pathKeyName: string,
  body: unknown,
  nonces: NonceCache,
  limits: Limits,
  now: number,
): Promise<TokenDetails> {
  if (typeof body !== 'object' || body === null)
    throw Errors.badRequest('TokenRequest body required');
  const req = body as Obj;
  if (req.keyName !== pathKeyName) throw Errors.badRequest('keyName does not match the URL');
  const key = registry.findKey(pathKeyName);
  if (!key) throw Errors.notFound(`Key not found: ${pathKeyName}`);
  if (typeof req.mac !== 'string' || typeof req.nonce !== 'string') {
    throw Errors.badRequest('TokenRequest needs mac and nonce');
  }
  const signText = [
    pathKeyName,
    field(req.ttl),
    field(req.capability),
    field(req.clientId),
    field(req.timestamp),
    req.nonce,
  ]
    .map((f) => `${f}\n`)
    .join('');
  const expected = createHmac('sha256', key.secret).update(signText).digest();
  const given = Buffer.from(req.mac, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw Errors.invalidCredentials('Invalid MAC');
  }
  const timestamp = Number(req.timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > limits.tokenRequestWindowMs) {
    throw Errors.timestampOutsideWindow();
  }
  if (nonces.seen(pathKeyName, req.nonce, now)) throw Errors.nonceReplayed();
  const details = issueToken(registry, pathKeyName, req, limits, now);
  // The nonce is durable before the token leaves, so no restart can make this request redeemable
  // again; while the store is down it is held in memory and written once the store is back.
  await nonces.persist(pathKeyName, req.nonce, now);
  return details;
}
