import type { StorePage } from './audit-store.js';

/** Where a device's pushes go (RSH1b3 `push.recipient`): `transportType` and its own fields. */
export type PushRecipient = { transportType: string } & Record<string, unknown>;

/** A device's push state as Ably reports it (`DevicePushState`). */
export type DevicePushState = 'ACTIVE' | 'FAILING' | 'FAILED';

/** A registered device (RSH1b, DeviceDetails) as stored for one app. */
export interface PushDeviceRecord {
  appId: string;
  id: string;
  platform: string;
  formFactor: string;
  clientId?: string;
  metadata?: Record<string, unknown>;
  recipient: PushRecipient;
  state: DevicePushState;
  /**
   * SHA-256 (hex) of the device identity token handed out at registration (RSH8); only the
   * hash is kept so a read of the store cannot act as the device.
   */
  identityTokenHash: string;
  /**
   * The `deviceSecret` the device registered with, if any. Kept as given because Ably's admin
   * `get` returns it (RSH1b1, ably-js "deviceRegistrations get and list"); only push admins,
   * who may act for any device anyway, ever see it.
   */
  deviceSecret?: string;
  updatedAt: number;
}

/** A channel push subscription (RSH1c): for one device or for every device of one clientId. */
export type PushSubscriptionRecord = { appId: string; channel: string } & (
  { deviceId: string; clientId?: undefined } | { clientId: string; deviceId?: undefined }
);

/** Filters of a device listing or removal (RSH1b2, RSH1b5). */
export interface PushDeviceFilter {
  appId: string;
  deviceId?: string;
  clientId?: string;
}

/**
 * Filters of a subscription listing or removal (RSH1c1, RSH1c5). With `anyTarget` (Ably's
 * `concatFilters`) a subscription matches when its deviceId *or* its clientId matches; otherwise
 * every given filter must match.
 */
export interface PushSubscriptionFilter {
  appId: string;
  channel?: string;
  deviceId?: string;
  clientId?: string;
  anyTarget?: boolean;
}

/** A page request: `limit` rows after `cursor` (the `next` of the previous page). */
export interface PushPageQuery {
  limit: number;
  cursor?: string;
}

/**
 * Push devices and channel subscriptions (RSH1). Lists are ordered (devices by id,
 * subscriptions by channel then target, channels by name) so that cursors are stable.
 */
export interface PushStore {
  /** Inserts or replaces a device by appId and id. */
  savePushDevice(device: PushDeviceRecord): Promise<void>;
  getPushDevice(appId: string, deviceId: string): Promise<PushDeviceRecord | undefined>;
  listPushDevices(
    filter: PushDeviceFilter,
    page: PushPageQuery,
  ): Promise<StorePage<PushDeviceRecord>>;
  /**
   * Removes the devices matching the filter and their device subscriptions (a removed device can
   * receive nothing); returns how many devices.
   */
  removePushDevices(filter: PushDeviceFilter): Promise<number>;
  /** Saves a subscription; saving an existing one again changes nothing. */
  savePushSubscription(subscription: PushSubscriptionRecord): Promise<void>;
  listPushSubscriptions(
    filter: PushSubscriptionFilter,
    page: PushPageQuery,
  ): Promise<StorePage<PushSubscriptionRecord>>;
  /** Removes the matching subscriptions; returns how many. */
  removePushSubscriptions(filter: PushSubscriptionFilter): Promise<number>;
  /** Channels of the app with at least one subscription (RSH1c2), by name. */
  listPushChannels(appId: string, page: PushPageQuery): Promise<StorePage<string>>;
}

/** A subscription's position in the listing order, which is also its cursor. */
export function subscriptionCursor(s: PushSubscriptionRecord): string {
  return JSON.stringify(subscriptionKey(s));
}

/** `[channel, kind, id]`: the order subscriptions are listed in. */
export function subscriptionKey(s: PushSubscriptionRecord): [string, string, string] {
  return s.deviceId !== undefined
    ? [s.channel, 'device', s.deviceId]
    : [s.channel, 'client', s.clientId];
}

/** Reads a subscription cursor back; undefined when it is not one. */
export function parseSubscriptionCursor(cursor: string): [string, string, string] | undefined {
  try {
    const parsed: unknown = JSON.parse(cursor);
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      parsed.every((p): p is string => typeof p === 'string')
    )
      return [parsed[0]!, parsed[1]!, parsed[2]!];
  } catch {
    // Not JSON: treated as no valid cursor below.
  }
  return undefined;
}

/** Whether a subscription passes a filter (the reference semantics the SQL stores mirror). */
export function subscriptionMatches(s: PushSubscriptionRecord, f: PushSubscriptionFilter): boolean {
  if (s.appId !== f.appId) return false;
  if (f.channel !== undefined && s.channel !== f.channel) return false;
  const byDevice = f.deviceId !== undefined;
  const byClient = f.clientId !== undefined;
  const deviceOk = byDevice && s.deviceId === f.deviceId;
  const clientOk = byClient && s.clientId === f.clientId;
  if (f.anyTarget && byDevice && byClient) return deviceOk || clientOk;
  return (!byDevice || deviceOk) && (!byClient || clientOk);
}
