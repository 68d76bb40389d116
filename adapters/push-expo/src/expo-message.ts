import type { PushDelivery } from '@switchboard/server';
import type { ExpoPushMessage } from 'expo-server-sdk';

/** The `transportType` of an Expo recipient: `{ transportType: 'expo', expoPushToken }`. */
export const EXPO_TRANSPORT = 'expo';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The Expo push token a delivery's recipient names (`recipient.expoPushToken`), if any. */
export function expoTokenOf(delivery: PushDelivery): unknown {
  return delivery.recipient.expoPushToken;
}

/**
 * The Expo message for an Ably push payload (RSH1a): `notification.title/body/sound` and
 * `data` map onto Expo's fields, `notification.collapseKey` onto `collapseId`; an `expo`
 * object in the payload (like Ably's `apns`/`fcm` overrides) is laid over the result, so an
 * app can set any Expo field (`channelId`, `priority`, `badge`, ...) for this transport only.
 */
export function toExpoMessage(token: string, payload: Record<string, unknown>): ExpoPushMessage {
  const notification = isRecord(payload.notification) ? payload.notification : {};
  const title = str(notification.title);
  const body = str(notification.body);
  const sound = str(notification.sound);
  const collapseId = str(notification.collapseKey);
  const message: ExpoPushMessage = {
    ...(isRecord(payload.expo) ? payload.expo : {}),
    to: token,
  };
  if (title !== undefined) message.title ??= title;
  if (body !== undefined) message.body ??= body;
  if (sound !== undefined) message.sound ??= sound;
  if (collapseId !== undefined) message.collapseId ??= collapseId;
  if (isRecord(payload.data)) message.data ??= payload.data;
  return message;
}
