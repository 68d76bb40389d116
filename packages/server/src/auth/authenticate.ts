import { timingSafeEqual } from 'node:crypto';
import { Errors, parseCapability, parseKey, type Capability } from '@switchboard/protocol';
import type { App, AppKey, AppRegistry } from '../apps/app-registry.js';
import type { RevocationList } from './revocations.js';
import { readTokenClaims, verifyToken } from './token.js';

/** Who a request or connection is, once its credentials are checked. */
export interface AuthContext {
  app: App;
  key: AppKey;
  method: 'basic' | 'token';
  capability: Capability;
  /** The verified identity; undefined for an anonymous client. */
  clientId?: string;
  /** The clientId to report in connectionDetails: `*` for an unnamed wildcard token (RSA7b4). */
  reportedClientId?: string;
  /** Whether messages may carry any clientId (Basic auth without one, or a `*` token). */
  mayAssumeAnyClientId: boolean;
  /** Token issue and expiry times, for token auth. */
  issued?: number;
  expires?: number;
}

/** Credentials as they arrive: a full key or a token string. */
export type Credentials = { key: string } | { token: string };

function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks credentials and the clientId the client asks for (spec RSA7, RSA15): a token's clientId
 * is enforced, `*` lets the client name itself, Basic auth may name any clientId.
 */
export function authenticate(
  registry: AppRegistry,
  credentials: Credentials,
  requestedClientId: string | undefined,
  now: number,
  revocations?: RevocationList,
): AuthContext {
  if (requestedClientId === '*') throw Errors.invalidClientId('clientId "*" is reserved');
  if ('key' in credentials) {
    const parsed = parseKey(credentials.key);
    const key = registry.findKey(parsed.keyName);
    if (!key || !secretsEqual(key.secret, parsed.secret)) throw Errors.invalidCredentials();
    const app = registry.get(key.appId);
    if (!app) throw Errors.invalidCredentials();
    return {
      app,
      key,
      method: 'basic',
      capability: key.parsedCapability,
      ...(requestedClientId
        ? { clientId: requestedClientId, reportedClientId: requestedClientId }
        : {}),
      mayAssumeAnyClientId: !requestedClientId,
    };
  }
  const { claims: unverified } = readTokenClaims(credentials.token);
  const key = registry.findKey(unverified.keyName);
  const app = key && registry.get(key.appId);
  if (!key || !app) throw Errors.tokenUnrecognized();
  const claims = verifyToken(credentials.token, key.secret, now);
  if (revocations?.isRevoked(key.keyName, claims.clientId, claims.issued, now))
    throw Errors.tokenRevoked();
  let clientId = claims.clientId;
  let mayAssumeAnyClientId = false;
  if (clientId === '*') {
    clientId = requestedClientId;
    mayAssumeAnyClientId = !requestedClientId;
  } else if (requestedClientId && requestedClientId !== clientId) {
    throw Errors.incompatibleCredentials(
      `clientId "${requestedClientId}" does not match the token's "${clientId ?? ''}"`,
    );
  }
  return {
    app,
    key,
    method: 'token',
    capability: parseCapability(claims.capability),
    ...(clientId ? { clientId } : {}),
    ...(clientId
      ? { reportedClientId: clientId }
      : claims.clientId === '*'
        ? { reportedClientId: '*' }
        : {}),
    mayAssumeAnyClientId,
    issued: claims.issued,
    expires: claims.expires,
  };
}

/** Reads REST credentials from `Authorization` (Basic key or Bearer base64 token) or `key=`. */
export function restCredentials(
  authorization: string | undefined,
  query: URLSearchParams,
): Credentials | undefined {
  if (authorization) {
    const space = authorization.indexOf(' ');
    const scheme = authorization.slice(0, space).toLowerCase();
    const value = authorization.slice(space + 1).trim();
    if (scheme === 'basic') return { key: Buffer.from(value, 'base64').toString('utf8') };
    if (scheme === 'bearer') {
      // ably-js base64-encodes the token; a raw token is accepted as well.
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      return { token: decoded.startsWith('sbt1.') ? decoded : value };
    }
  }
  const key = query.get('key');
  if (key) return { key };
  const token = query.get('access_token') ?? query.get('accessToken');
  if (token) return { token };
  return undefined;
}
