import { timingSafeEqual } from 'node:crypto';
import { Errors, permits, permitsSomewhere } from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import type { EngineContext } from '../context.js';
import type { PushDeviceRecord } from '../ports/push-store.js';
import type { RestRequest } from '../rest/http.js';
import { restAuth } from '../rest/rest-auth.js';
import { hashSecret } from './device-registration.js';

/** Who calls a push route: the credentials, and the device whose identity the request proves. */
export interface PushCaller {
  auth: AuthContext;
  appId: string;
  /** The device proven by `X-Ably-DeviceToken` or `X-Ably-DeviceSecret` (RSH6), if any. */
  device?: PushDeviceRecord;
}

function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the request carries the identity of this device (token, or the secret it registered). */
export function provesDevice(req: RestRequest, device: PushDeviceRecord): boolean {
  const token = req.headers['x-ably-devicetoken'];
  if (token && hashesEqual(hashSecret(token), device.identityTokenHash)) return true;
  const secret = req.headers['x-ably-devicesecret'];
  return secret !== undefined && device.deviceSecret !== undefined
    ? hashesEqual(hashSecret(secret), hashSecret(device.deviceSecret))
    : false;
}

/**
 * Authenticates a push request and, when it names a device and carries device credentials,
 * checks them against that device's registration.
 */
export async function pushCaller(
  ctx: EngineContext,
  req: RestRequest,
  deviceId: string | undefined,
): Promise<PushCaller> {
  const auth = restAuth(ctx, req);
  const appId = auth.app.record.id;
  const hasDeviceHeader =
    req.headers['x-ably-devicetoken'] !== undefined ||
    req.headers['x-ably-devicesecret'] !== undefined;
  if (deviceId === undefined || !hasDeviceHeader) return { auth, appId };
  const device = await ctx.pushStore.getPushDevice(appId, deviceId);
  return device && provesDevice(req, device) ? { auth, appId, device } : { auth, appId };
}

/** Whether the caller holds `push-admin` anywhere: needed for app-wide push administration. */
export const isPushAdmin = (caller: PushCaller): boolean =>
  permitsSomewhere(caller.auth.capability, 'push-admin');

/** Refuses with 40160 unless the caller holds `push-admin` (RSH1: the admin API). */
export function requirePushAdmin(caller: PushCaller, what: string): void {
  if (!isPushAdmin(caller))
    throw Errors.pushNotPermitted(`${what} needs the push-admin capability`);
}

/**
 * Whether the caller may manage subscriptions of `channel` for the given target: `push-admin`
 * on the channel, or `push-subscribe` on it for its own device (proven identity) or its own
 * clientId (RSH7).
 */
export function maySubscribe(
  caller: PushCaller,
  channel: string,
  target: { deviceId?: string | undefined; clientId?: string | undefined },
): boolean {
  const cap = caller.auth.capability;
  if (permits(cap, channel, 'push-admin')) return true;
  if (!permits(cap, channel, 'push-subscribe')) return false;
  if (target.deviceId !== undefined) return caller.device?.id === target.deviceId;
  return target.clientId !== undefined && target.clientId === caller.auth.clientId;
}
