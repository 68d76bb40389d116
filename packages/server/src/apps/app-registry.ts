import {
  FULL_CAPABILITY,
  appIdOfKeyName,
  channelNamespace,
  parseCapability,
  type Capability,
} from '@switchboard/protocol';
import type { AppRecord, KeyRecord, NamespaceRecord, Store } from '../ports/store.js';

/** A key ready for use: its record plus the parsed capability. */
export interface AppKey extends KeyRecord {
  appId: string;
  parsedCapability: Capability;
}

/** An app held in memory so that authentication never waits on the store. */
export interface App {
  record: AppRecord;
  keys: Map<string, AppKey>;
  namespaces: Map<string, NamespaceRecord>;
}

/** Apps and keys, cached in memory and written through to the Store. */
export interface AppRegistry {
  load(): Promise<void>;
  get(appId: string): App | undefined;
  findKey(keyName: string): AppKey | undefined;
  namespaceOf(app: App, channel: string): NamespaceRecord | undefined;
  save(record: AppRecord): Promise<App>;
  remove(appId: string): Promise<boolean>;
  count(): number;
  list(): App[];
}

function toApp(record: AppRecord): App {
  const keys = new Map<string, AppKey>();
  for (const k of record.keys) {
    const parsedCapability = k.capability ? parseCapability(k.capability) : FULL_CAPABILITY;
    keys.set(k.keyName, { ...k, appId: record.id, parsedCapability });
  }
  const namespaces = new Map(record.namespaces.map((n) => [n.id, n]));
  return { record, keys, namespaces };
}

/** Creates the registry over a store. */
export function createAppRegistry(store: Store): AppRegistry {
  const apps = new Map<string, App>();
  return {
    async load() {
      for (const record of await store.listApps()) apps.set(record.id, toApp(record));
    },
    get: (appId) => apps.get(appId),
    findKey(keyName) {
      return apps.get(appIdOfKeyName(keyName))?.keys.get(keyName);
    },
    namespaceOf(app, channel) {
      const ns = channelNamespace(channel);
      return (ns && app.namespaces.get(ns)) || app.namespaces.get(channel);
    },
    async save(record) {
      const app = toApp(record);
      await store.saveApp(record);
      apps.set(record.id, app);
      return app;
    },
    async remove(appId) {
      if (!apps.has(appId)) return false;
      await store.deleteApp(appId);
      apps.delete(appId);
      return true;
    },
    count: () => apps.size,
    list: () => [...apps.values()],
  };
}
