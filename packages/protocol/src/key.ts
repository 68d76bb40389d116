import { Errors } from './errors.js';

/** An API key `appId.keyId:secret` split into parts. */
export interface ParsedKey {
  appId: string;
  keyName: string;
  secret: string;
}

const KEY_PATTERN = /^([^:.\s]+)\.([^:.\s]+):([^:.\s]+)$/;

/** Parses a full API key; throws 40101 when it is malformed. */
export function parseKey(key: string): ParsedKey {
  const match = KEY_PATTERN.exec(key);
  if (!match) throw Errors.invalidCredentials('Invalid key: expected appId.keyId:secret');
  const [, appId, keyId, secret] = match as unknown as [string, string, string, string];
  return { appId, keyName: `${appId}.${keyId}`, secret };
}

/** The app id of a key name `appId.keyId`. */
export function appIdOfKeyName(keyName: string): string {
  const dot = keyName.indexOf('.');
  return dot > 0 ? keyName.slice(0, dot) : keyName;
}
