import {
  silentLogger,
  type Logger,
  type PushDelivery,
  type PushOutcome,
  type PushSender,
  type UnregisteredListener,
} from '@switchboard/server';
import { Expo, type ExpoPushMessage, type ExpoPushTicket } from 'expo-server-sdk';
import { createExpoDispatcher } from './dispatcher.js';
import { EXPO_TRANSPORT, expoTokenOf, toExpoMessage } from './expo-message.js';
import { createReceiptBook, isDeviceNotRegistered } from './receipts.js';

/** Options of the Expo PushSender; every one has a default. */
export interface ExpoPushSenderOptions {
  /** Expo access token, when the project has enhanced push security on (`EXPO_ACCESS_TOKEN`). */
  accessToken?: string;
  /**
   * Where Expo's push API is (default `https://exp.host`, or `EXPO_BASE_URL`): a local stand-in
   * in tests, a relay in an air-gapped deployment.
   */
  baseUrl?: string;
  /** How long one request to Expo may take before it counts as a (retryable) failure. */
  requestTimeoutMs?: number;
  /** How long after sending a ticket's receipt is asked for (default 15 minutes, as Expo advises). */
  receiptDelayMs?: number;
  /** How often due receipts are asked for (default 5 minutes; 0 never, call `checkReceipts`). */
  receiptCheckMs?: number;
  /** How long a receipt not ready yet keeps being asked for (default 24 h). */
  receiptMaxAgeMs?: number;
  /** Tickets waiting for a receipt at most (default 100 000); the oldest are forgotten, logged. */
  maxPendingReceipts?: number;
  /** Where failures after sending are told. */
  logger?: Logger;
}

/** The Expo PushSender: a PushSender with a receipt check and a close. */
export interface ExpoPushSender extends PushSender {
  /** Listens for devices a receipt found unregistered (always present on this sender). */
  onUnregistered(listener: UnregisteredListener): () => void;
  /** Asks Expo for the receipts that are due now (the timer does this on its own). */
  checkReceipts(): Promise<void>;
  /** Tickets still waiting for their receipt. */
  readonly pendingReceipts: number;
  /** Stops the receipt timer and closes the HTTP agent. */
  close(): Promise<void>;
}

/** What Expo's SDK attaches to a failed request. */
interface ExpoRequestError {
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
}

/** A failure of a whole request: 5xx, 429, timeouts and network faults are worth retrying. */
function requestFailure(err: unknown): PushOutcome {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ExpoRequestError;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const retryable = status === undefined || status >= 500 || status === 429;
  const reason = `expo: ${typeof e.message === 'string' ? e.message : String(err)}`;
  return { status: 'failed', reason, retryable };
}

function ticketOutcome(ticket: ExpoPushTicket | undefined): PushOutcome {
  if (ticket === undefined) return { status: 'failed', reason: 'expo: no ticket', retryable: true };
  if (ticket.status === 'ok') return { status: 'sent' };
  const error = ticket.details?.error;
  return {
    status: 'failed',
    reason: `expo ${error ?? 'error'}: ${ticket.message}`,
    ...(isDeviceNotRegistered(ticket) ? { unregistered: true } : {}),
    ...(error === 'MessageRateExceeded' ? { retryable: true } : {}),
  };
}

/**
 * Creates a PushSender over Expo's push service with the official `expo-server-sdk`. Each
 * delivery's recipient is `{ transportType: 'expo', expoPushToken }`; a token
 * `Expo.isExpoPushToken` refuses is never sent (`invalidRecipient`). Messages go in Expo's
 * chunks; each ticket's receipt is asked for later, and a DeviceNotRegistered receipt is told
 * to the `onUnregistered` listeners so the engine removes the device.
 */
export function createExpoPushSender(options: ExpoPushSenderOptions = {}): ExpoPushSender {
  const logger = options.logger ?? silentLogger;
  const http = createExpoDispatcher(options.requestTimeoutMs ?? 10_000, options.baseUrl);
  const expo = new Expo({
    httpAgent: http.dispatcher,
    ...(options.accessToken ? { accessToken: options.accessToken } : {}),
  });
  const receipts = createReceiptBook(
    expo,
    {
      delayMs: options.receiptDelayMs ?? 15 * 60_000,
      maxAgeMs: options.receiptMaxAgeMs ?? 24 * 3_600_000,
      maxPending: options.maxPendingReceipts ?? 100_000,
    },
    logger,
  );
  const checkEvery = options.receiptCheckMs ?? 5 * 60_000;
  const timer =
    checkEvery > 0
      ? setInterval(() => {
          receipts.check(Date.now()).catch((err: unknown) => {
            logger.warn('expo receipt check failed', { error: String(err) });
          });
        }, checkEvery)
      : undefined;
  timer?.unref();

  async function send(deliveries: readonly PushDelivery[]): Promise<PushOutcome[]> {
    const outcomes = new Array<PushOutcome>(deliveries.length);
    const messages: ExpoPushMessage[] = [];
    const indexes: number[] = [];
    deliveries.forEach((d, i) => {
      const token = expoTokenOf(d);
      if (d.recipient.transportType !== EXPO_TRANSPORT)
        outcomes[i] = { status: 'failed', reason: `not an expo recipient` };
      else if (!Expo.isExpoPushToken(token))
        outcomes[i] = {
          status: 'failed',
          reason: 'expo: expoPushToken is not an Expo push token',
          invalidRecipient: true,
        };
      else {
        messages.push(toExpoMessage(token, d.payload));
        indexes.push(i);
      }
    });
    let at = 0;
    for (const chunk of expo.chunkPushNotifications(messages)) {
      const chunkIndexes = indexes.slice(at, at + chunk.length);
      at += chunk.length;
      let tickets: ExpoPushTicket[] | undefined;
      let failure: PushOutcome | undefined;
      try {
        tickets = await expo.sendPushNotificationsAsync(chunk);
      } catch (err) {
        failure = requestFailure(err);
      }
      const now = Date.now();
      chunkIndexes.forEach((i, k) => {
        const ticket = tickets?.[k];
        outcomes[i] = failure ?? ticketOutcome(ticket);
        if (ticket?.status === 'ok') receipts.add(ticket.id, deliveries[i]!, now);
      });
    }
    return outcomes;
  }

  return {
    send,
    onUnregistered(listener) {
      receipts.listeners.add(listener);
      return () => void receipts.listeners.delete(listener);
    },
    checkReceipts: () => receipts.check(Date.now()),
    get pendingReceipts() {
      return receipts.size;
    },
    async close() {
      if (timer) clearInterval(timer);
      await http.close();
    },
  };
}
