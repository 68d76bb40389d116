import type { HistoryStore } from './history.js';
import { createMemoryHistory } from './memory-history.js';
import type { AuditStore } from './audit-store.js';
import { createMemoryAuditStore } from './memory-audit-store.js';
import { pruneMap } from './memory-paging.js';
import type { PushStore } from './push-store.js';
import { createMemoryPushStore } from './memory-push-store.js';
import type { NotificationStore } from './notification-store.js';
import { createMemoryNotificationStore } from './memory-notification-store.js';
import { createMemoryPushOutbox, type PushOutboxStore } from './push-outbox.js';
import {
  createMemoryWebhookOutbox,
  type WebhookOutboxStore,
  type WebhookRule,
} from './webhook-outbox.js';
import { createMemoryHeartbeatConfig, type HeartbeatConfigStore } from './heartbeat-config.js';
import { createMemoryAnnotationStore, type AnnotationStore } from './annotation-store.js';

/** A key as stored: its name, secret and capability JSON text. */
export interface KeyRecord {
  keyName: string;
  secret: string;
  /** Capability JSON text, e.g. `{"*":["*"]}`. */
  capability: string;
  revocableTokens?: boolean;
}

/** Channel rules for a namespace (Ably's "channel rules"). */
export interface NamespaceRecord {
  id: string;
  persisted?: boolean;
  pushEnabled?: boolean;
  mutableMessages?: boolean;
  authenticated?: boolean;
}

/** A presence member loaded as a fixture when the app is created. */
export interface PresenceFixture {
  clientId: string;
  data?: string;
  encoding?: string;
}

/** An app: its keys, namespaces and fixtures. */
export interface AppRecord {
  id: string;
  createdAt: number;
  keys: KeyRecord[];
  namespaces: NamespaceRecord[];
  channels?: { name: string; presence: PresenceFixture[] }[];
  limits?: { presenceMaxMembers?: number };
  /** Webhook rules: channel events posted to the app's endpoints. */
  webhooks?: WebhookRule[];
}

/**
 * A token revocation (RSA17): tokens of `keyName` issued to `clientId` before `issuedBefore` are
 * refused from `appliesAt` on.
 */
export interface RevocationRecord {
  keyName: string;
  clientId: string;
  issuedBefore: number;
  appliesAt: number;
}

/** A TokenRequest nonce that was redeemed (RSA9), kept so a replay is refused with 40105. */
export interface UsedNonceRecord {
  keyName: string;
  nonce: string;
  usedAt: number;
}

/**
 * Durable storage: apps and keys, token revocations, used TokenRequest nonces (cached in memory,
 * written through), the operational tables of AuditStore (written behind in batches), and push
 * devices and subscriptions (PushStore), the notification log and nudge slots (NotificationStore), the push outbox (PushOutboxStore), the webhook outbox (WebhookOutboxStore) the SSE heartbeat settings (HeartbeatConfigStore) and persisted channels' annotations (AnnotationStore).
 */
export interface Store
  extends
    HistoryStore,
    AuditStore,
    PushStore,
    NotificationStore,
    PushOutboxStore,
    WebhookOutboxStore,
    HeartbeatConfigStore,
    AnnotationStore {
  listApps(): Promise<AppRecord[]>;
  saveApp(app: AppRecord): Promise<void>;
  deleteApp(appId: string): Promise<void>;
  /** Saves a revocation, replacing any earlier one for the same keyName and clientId. */
  saveRevocation(revocation: RevocationRecord): Promise<void>;
  /** All revocations, or only those with `issuedBefore` after `issuedAfter` (the ones that can still matter). */
  listRevocations(issuedAfter?: number): Promise<RevocationRecord[]>;
  /** Deletes at most `limit` revocations with `issuedBefore` before the given time; returns how many. */
  pruneRevocations(issuedBefore: number, limit: number): Promise<number>;
  /** Records a used nonce; recording the same keyName and nonce again updates `usedAt`. */
  recordNonce(nonce: UsedNonceRecord): Promise<void>;
  /** The nonces used at or after `usedSince`. */
  listNonces(usedSince: number): Promise<UsedNonceRecord[]>;
  /** Deletes at most `limit` nonces used before the given time; returns how many. */
  pruneNonces(usedBefore: number, limit: number): Promise<number>;
  close(): Promise<void>;
}

/** The reference Store: everything in memory, gone on restart. */
export function createMemoryStore(): Store {
  const apps = new Map<string, AppRecord>();
  const revocations = new Map<string, RevocationRecord>();
  const nonces = new Map<string, UsedNonceRecord>();
  return {
    ...createMemoryHistory(),
    ...createMemoryAuditStore(),
    ...createMemoryPushStore(),
    ...createMemoryNotificationStore(),
    ...createMemoryPushOutbox(),
    ...createMemoryWebhookOutbox(),
    ...createMemoryHeartbeatConfig(),
    ...createMemoryAnnotationStore(),
    listApps: async () =>
      [...apps.values()].sort((x, y) => x.createdAt - y.createdAt).map((a) => structuredClone(a)),
    saveApp: async (app) => void apps.set(app.id, structuredClone(app)),
    deleteApp: async (id) => void apps.delete(id),
    saveRevocation: async (r) => void revocations.set(`${r.keyName}\n${r.clientId}`, { ...r }),
    listRevocations: async (issuedAfter = -Infinity) =>
      [...revocations.values()].filter((r) => r.issuedBefore > issuedAfter).map((r) => ({ ...r })),
    pruneRevocations: async (issuedBefore, limit) =>
      pruneMap(revocations, (r) => r.issuedBefore < issuedBefore, limit),
    recordNonce: async (n) => void nonces.set(`${n.keyName}\n${n.nonce}`, { ...n }),
    listNonces: async (usedSince) =>
      [...nonces.values()].filter((n) => n.usedAt >= usedSince).map((n) => ({ ...n })),
    pruneNonces: async (usedBefore, limit) => pruneMap(nonces, (n) => n.usedAt < usedBefore, limit),
    close: async () => {},
  };
}
