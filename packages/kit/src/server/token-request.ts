import { createHmac, randomBytes } from 'node:crypto';
import { mergeCapabilities, type Capability } from '../catalog/capability.js';

/** A signed TokenRequest, as the official client expects from an authUrl or authCallback (spec TE). */
export interface TokenRequest {
  keyName: string;
  ttl: number;
  capability: string;
  clientId: string;
  timestamp: number;
  nonce: string;
  mac: string;
}

/** What to sign. */
export interface TokenRequestInput {
  /** An API key `appId.keyId:secret`; the secret signs and never leaves the server. */
  key: string;
  clientId: string;
  capability: Capability;
  /** Token lifetime (ms, default one hour). */
  ttlMs?: number;
  /** For tests: the signing time and nonce. */
  now?: number;
  nonce?: string;
}

/** Splits `appId.keyId:secret`; throws a TypeError for anything else. */
export function parseKey(key: string): { keyName: string; secret: string } {
  const i = key.indexOf(':');
  if (i <= 0 || i === key.length - 1 || !key.slice(0, i).includes('.')) {
    throw new TypeError('key must look like appId.keyId:secret');
  }
  return { keyName: key.slice(0, i), secret: key.slice(i + 1) };
}

/**
 * Signs a TokenRequest: base64 HMAC-SHA256, keyed with the key's secret, over keyName, ttl,
 * capability, clientId, timestamp and nonce, each followed by a newline (spec RSA9g).
 */
export function createTokenRequest(input: TokenRequestInput): TokenRequest {
  const { keyName, secret } = parseKey(input.key);
  if (typeof input.clientId !== 'string' || input.clientId === '') {
    throw new TypeError('clientId must be a non-empty string');
  }
  const ttl = input.ttlMs ?? 3_600_000;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new TypeError('ttlMs must be a positive integer');
  const request = {
    keyName,
    ttl,
    // Sorted and deduplicated, so equal grants sign to equal strings.
    capability: JSON.stringify(mergeCapabilities(input.capability)),
    clientId: input.clientId,
    timestamp: input.now ?? Date.now(),
    nonce: input.nonce ?? randomBytes(16).toString('hex'),
  };
  const text = [
    request.keyName,
    request.ttl,
    request.capability,
    request.clientId,
    request.timestamp,
    request.nonce,
  ]
    .map((f) => `${f}\n`)
    .join('');
  return { ...request, mac: createHmac('sha256', secret).update(text).digest('base64') };
}
