import { createHash, randomBytes } from 'node:crypto';
import { Errors } from '@switchboard/protocol';
import type { PushDeviceRecord, PushRecipient } from '../ports/push-store.js';

/** Platforms a device may register with (RSH1b3, DevicePlatform). */
export const DEVICE_PLATFORMS = ['ios', 'android', 'browser'] as const;

/** Form factors a device may register with (DeviceFormFactor). */
export const DEVICE_FORM_FACTORS = [
  'phone',
  'tablet',
  'desktop',
  'tv',
  'watch',
  'car',
  'embedded',
  'other',
] as const;

/**
 * Transports a recipient may name: Ably's (`gcm` is FCM's old name, `ablyChannel` is the test
 * transport that delivers into a channel) and `expo` for the Expo adapter.
 */
export const PUSH_TRANSPORTS = ['apns', 'fcm', 'gcm', 'web', 'expo', 'ablyChannel'] as const;

/** The fields of a registration body, validated. */
export interface DeviceRegistration {
  id: string;
  platform: string;
  formFactor: string;
  clientId?: string;
  metadata?: Record<string, unknown>;
  recipient: PushRecipient;
  deviceSecret?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/** Longest id, clientId or secret accepted, so stored keys stay small. */
const MAX_ID_LENGTH = 256;

function text(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw Errors.invalidDeviceRegistration(field, 'is missing');
    return undefined;
  }
  if (typeof value !== 'string' || value === '')
    throw Errors.invalidDeviceRegistration(field, 'must be a non-empty string');
  if (value.length > MAX_ID_LENGTH)
    throw Errors.invalidDeviceRegistration(field, `is longer than ${MAX_ID_LENGTH} characters`);
  return value;
}

function oneOf(field: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value))
    throw Errors.invalidDeviceRegistration(field, `must be one of ${allowed.join(', ')}`);
  return value;
}

/**
 * Validates a registration body (RSH1b3); every failure is a 40000 naming the field. `pathId`
 * is the id in the URL of a PUT or PATCH, which the body must agree with; `previous` supplies
 * the fields a PATCH leaves out.
 */
export function parseRegistration(
  raw: unknown,
  pathId?: string,
  previous?: PushDeviceRecord,
): DeviceRegistration {
  if (!isObject(raw)) throw Errors.invalidDeviceRegistration('body', 'must be an object');
  const body: Record<string, unknown> = previous
    ? {
        id: previous.id,
        platform: previous.platform,
        formFactor: previous.formFactor,
        clientId: previous.clientId,
        metadata: previous.metadata,
        ...raw,
        push: isObject(raw.push) ? raw.push : { recipient: previous.recipient },
      }
    : raw;
  const id = text(body, 'id', pathId === undefined) ?? pathId!;
  if (pathId !== undefined && id !== pathId)
    throw Errors.invalidDeviceRegistration('id', 'does not match the id in the path');
  const platform = oneOf('platform', text(body, 'platform', true)!, DEVICE_PLATFORMS);
  const formFactor = oneOf('formFactor', text(body, 'formFactor', true)!, DEVICE_FORM_FACTORS);
  const clientId = text(body, 'clientId', false);
  const deviceSecret = text(body, 'deviceSecret', false);
  const metadata = body.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata))
    throw Errors.invalidDeviceRegistration('metadata', 'must be an object');
  const push = body.push;
  if (!isObject(push)) throw Errors.invalidDeviceRegistration('push', 'is missing');
  const recipient = push.recipient;
  if (!isObject(recipient)) throw Errors.invalidDeviceRegistration('push.recipient', 'is missing');
  const transportType = recipient.transportType;
  if (typeof transportType !== 'string')
    throw Errors.invalidDeviceRegistration('push.recipient.transportType', 'is missing');
  oneOf('push.recipient.transportType', transportType, PUSH_TRANSPORTS);
  return {
    id,
    platform,
    formFactor,
    recipient: { ...recipient, transportType },
    ...(clientId === undefined ? {} : { clientId }),
    ...(isObject(metadata) ? { metadata } : {}),
    ...(deviceSecret === undefined ? {} : { deviceSecret }),
  };
}

/** SHA-256 hex of a device secret or identity token: what the store keeps instead. */
export function hashSecret(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A fresh device identity token (RSH8): opaque, unguessable, shown once. */
export function newIdentityToken(): string {
  return `sbdev.${randomBytes(24).toString('base64url')}`;
}

/** DeviceDetails as the REST API answers it; the identity token only when just issued. */
export function deviceToWire(
  d: PushDeviceRecord,
  identityToken?: { token: string; issued: number },
): Record<string, unknown> {
  return {
    id: d.id,
    platform: d.platform,
    formFactor: d.formFactor,
    ...(d.clientId === undefined ? {} : { clientId: d.clientId }),
    metadata: d.metadata ?? {},
    push: { recipient: d.recipient, state: d.state },
    ...(identityToken
      ? {
          deviceIdentityToken: {
            token: identityToken.token,
            issued: identityToken.issued,
            ...(d.clientId === undefined ? {} : { clientId: d.clientId }),
          },
        }
      : {}),
  };
}
