import { timingSafeEqual } from 'node:crypto';
import {
  Errors,
  intersectCapabilities,
  parseCapability,
  parseKey,
  type Capability,
} from '@switchboard/protocol';
import type { App, AppKey, AppRegistry } from '../apps/app-registry.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { isJwtShaped, parseJwt, verifyJwt, type JwtLimits } from './jwt.js';
import type { RevocationList } from './revocations.js';
import { isSwitchboardToken, readTokenClaims, verifyToken } from './token.js';

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
  /** User claims per Chat room, from a JWT's `ably.room.<room>` claims. */
  roomClaims?: Record<string, string>;
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

/** A verified bearer credential, whichever format it came in, with the key that signed it. */
interface VerifiedToken {
  app: App;
  key: AppKey;
  capability: Capability;
  clientId?: string;
  roomClaims?: Record<string, string>;
  issued: number;
  expires: number;
}

/**
 * Verifies a token string (RSA8): our own signed token (`sbt1.…`), or else an Ably JWT (TN3) when
 * it has a JWT's shape; anything else is unrecognised (40143).
 */
function verifyBearer(
  registry: AppRegistry,
  token: string,
  now: number,
  limits: JwtLimits,
): VerifiedToken {
  if (!isSwitchboardToken(token) && isJwtShaped(token)) {
    const jwt = parseJwt(token);
    const key = registry.findKey(jwt.keyName);
    const app = key && registry.get(key.appId);
    if (!key || !app) throw Errors.invalidJwt('kid names no known key');
    const claims = verifyJwt(jwt, key.secret, now, limits);
    // As for a TokenRequest (RSA9), a JWT grants at most what its key may do.
    const capability = intersectCapabilities(claims.capability, key.parsedCapability);
    return { app, key, ...claims, capability };
  }
  const { claims: unverified } = readTokenClaims(token);
  const key = registry.findKey(unverified.keyName);
  const app = key && registry.get(key.appId);
  if (!key || !app) throw Errors.tokenUnrecognized();
  const claims = verifyToken(token, key.secret, now);
  return { app, key, ...claims, capability: parseCapability(claims.capability) };
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
  limits: JwtLimits = DEFAULT_LIMITS,
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
  const claims = verifyBearer(registry, credentials.token, now, limits);
  const { app, key } = claims;
  // Revocation (RSA17) matches JWTs as tokens: by key, clientId and issue time (`iat`).
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
    capability: claims.capability,
    ...(clientId ? { clientId } : {}),
    ...(clientId
      ? { reportedClientId: clientId }
      : claims.clientId === '*'
        ? { reportedClientId: '*' }
        : {}),
    mayAssumeAnyClientId,
    ...(claims.roomClaims ? { roomClaims: claims.roomClaims } : {}),
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
      // ably-js base64-encodes the token (a JWT too); a raw token is accepted as well.
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const wasEncoded = isSwitchboardToken(decoded) || isJwtShaped(decoded);
      return { token: wasEncoded ? decoded : value };
    }
  }
  const key = query.get('key');
  if (key) return { key };
  const token = query.get('access_token') ?? query.get('accessToken');
  if (token) return { token };
  return undefined;
}
