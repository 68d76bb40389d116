import type { PushRecipient } from './push-store.js';

/**
 * What a push carries (RSH1a): everything of the publish body but the recipient, e.g.
 * `notification`, `data`, and per-platform overrides such as `apns`, `fcm`, `web`.
 */
export type PushPayload = Record<string, unknown>;

/** One push to one recipient: a registered device, or a recipient named directly. */
export interface PushDelivery {
  appId: string;
  /** The registered device it goes to; absent for a recipient given by transport details. */
  deviceId?: string;
  clientId?: string;
  recipient: PushRecipient;
  payload: PushPayload;
}

/**
 * The outcome of one delivery. On failure:
 * - `invalidRecipient`: the device's details are unusable (a malformed token, a bad key), so
 *   the registration is marked FAILED (RSH3: its state is what `get` reports);
 * - `unregistered`: the push service says the app is no longer installed there (Expo's
 *   `DeviceNotRegistered`), so the registration is removed;
 * - `retryable`: a passing fault (a timeout, a 5xx, a 429), so the engine tries again later.
 */
export type PushOutcome =
  | { status: 'sent' }
  | {
      status: 'failed';
      reason: string;
      invalidRecipient?: boolean;
      unregistered?: boolean;
      retryable?: boolean;
    };

/** Called when a verdict on a delivery arrives after `send` answered (a push receipt). */
export type UnregisteredListener = (delivery: PushDelivery, reason: string) => void;

/**
 * The port through which the engine hands pushes to the outside world (APNs, FCM, Expo, ...).
 * `send` answers one outcome per delivery, in the order given; it should not throw.
 */
export interface PushSender {
  send(deliveries: readonly PushDelivery[]): Promise<PushOutcome[]>;
  /**
   * For transports whose verdict comes later (Expo's receipts): the engine registers here to
   * hear of devices found unregistered after `send`, and removes them. Returns an unsubscribe.
   */
  onUnregistered?(listener: UnregisteredListener): () => void;
}

/** A PushSender that keeps what it was given: the reference implementation and a test probe. */
export interface RecordingPushSender extends PushSender {
  /** Every delivery sent so far, oldest first. */
  readonly sent: readonly PushDelivery[];
  /** Forgets what was recorded. */
  clear(): void;
}

/**
 * Creates the recording PushSender: every delivery succeeds and is kept, up to `max` (the
 * oldest are dropped beyond it, so a long-running server does not grow without bound).
 */
export function createRecordingPushSender(max = 1000): RecordingPushSender {
  const sent: PushDelivery[] = [];
  return {
    sent,
    clear: () => void sent.splice(0),
    async send(deliveries) {
      sent.push(...deliveries.map((d) => structuredClone(d)));
      if (sent.length > max) sent.splice(0, sent.length - max);
      return deliveries.map(() => ({ status: 'sent' }));
    },
  };
}
