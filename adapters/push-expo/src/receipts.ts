import type { Logger, PushDelivery, UnregisteredListener } from '@switchboard/server';
import type { Expo, ExpoPushReceipt } from 'expo-server-sdk';

/** Limits of the receipt check. */
export interface ReceiptOptions {
  /** How long after sending a receipt is asked for (Expo advises ~15 minutes). */
  delayMs: number;
  /** How long a receipt that is not ready yet is asked for again (Expo keeps them ~24 h). */
  maxAgeMs: number;
  /** How many tickets wait for their receipt at most; the oldest are forgotten beyond it. */
  maxPending: number;
}

interface Pending {
  delivery: PushDelivery;
  sentAt: number;
}

/** Tickets waiting for their receipts, and the check that asks Expo for them. */
export interface ReceiptBook {
  add(ticketId: string, delivery: PushDelivery, now: number): void;
  /** Asks for the receipts that are due; reports DeviceNotRegistered ones to the listeners. */
  check(now: number): Promise<void>;
  readonly size: number;
  readonly listeners: Set<UnregisteredListener>;
}

/** Whether an Expo error (ticket or receipt) says the app is gone from the device. */
export const isDeviceNotRegistered = (r: ExpoPushReceipt): boolean =>
  r.status === 'error' && r.details?.error === 'DeviceNotRegistered';

/** Creates the receipt book of one sender. */
export function createReceiptBook(
  expo: Expo,
  options: ReceiptOptions,
  logger: Logger,
): ReceiptBook {
  // Insertion order is sending order, so the first entries are the oldest.
  const pending = new Map<string, Pending>();
  const listeners = new Set<UnregisteredListener>();
  let checking = false;
  const report = (delivery: PushDelivery, reason: string): void => {
    for (const l of listeners) {
      try {
        l(delivery, reason);
      } catch (err) {
        logger.warn('expo unregistered listener failed', { error: String(err) });
      }
    }
  };
  return {
    listeners,
    get size() {
      return pending.size;
    },
    add(ticketId, delivery, now) {
      pending.set(ticketId, { delivery, sentAt: now });
      for (const [id, p] of pending) {
        if (pending.size <= options.maxPending) break;
        pending.delete(id);
        logger.warn('expo receipt not checked: too many pending', {
          ticketId: id,
          deviceId: p.delivery.deviceId,
        });
      }
    },
    async check(now) {
      if (checking) return;
      checking = true;
      try {
        const due = [...pending].filter(([, p]) => now - p.sentAt >= options.delayMs);
        const ids = due.map(([id]) => id);
        for (const chunk of expo.chunkPushNotificationReceiptIds(ids)) {
          let receipts: Record<string, ExpoPushReceipt>;
          try {
            receipts = await expo.getPushNotificationReceiptsAsync(chunk);
          } catch (err) {
            // Kept for the next check: a receipt fetch that fails loses nothing.
            logger.warn('expo receipts fetch failed', { error: String(err) });
            continue;
          }
          for (const id of chunk) {
            const p = pending.get(id);
            if (!p) continue;
            const receipt = receipts[id];
            if (receipt === undefined) {
              if (now - p.sentAt < options.maxAgeMs) continue;
              logger.warn('expo receipt never arrived', {
                ticketId: id,
                deviceId: p.delivery.deviceId,
              });
            } else if (receipt.status === 'error') {
              logger.warn('expo push failed after sending', {
                ticketId: id,
                deviceId: p.delivery.deviceId,
                error: receipt.details?.error,
                message: receipt.message,
              });
              if (isDeviceNotRegistered(receipt)) report(p.delivery, receipt.message);
            }
            pending.delete(id);
          }
        }
      } finally {
        checking = false;
      }
    },
  };
}
