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
}

/** Durable storage of apps and keys (the Store port; history and audit tables come later). */
export interface Store {
  listApps(): Promise<AppRecord[]>;
  saveApp(app: AppRecord): Promise<void>;
  deleteApp(appId: string): Promise<void>;
  close(): Promise<void>;
}

/** The reference Store: everything in memory, gone on restart. */
export function createMemoryStore(): Store {
  const apps = new Map<string, AppRecord>();
  return {
    listApps: async () =>
      [...apps.values()].sort((x, y) => x.createdAt - y.createdAt).map((a) => structuredClone(a)),
    saveApp: async (app) => void apps.set(app.id, structuredClone(app)),
    deleteApp: async (id) => void apps.delete(id),
    close: async () => {},
  };
}
