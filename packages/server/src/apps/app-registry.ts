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

/** What a reload from the store changed in the registry. */
export interface AppReloadChanges {
  /** Apps the store has that the registry did not. */
  added: App[];
  /** Ids of apps the registry had that the store no longer has. */
  removed: string[];
  /** Keys of apps still present that the store no longer has (or whose secret changed). */
  removedKeys: AppKey[];
}

/** Apps and keys, cached in memory and written through to the Store. */
export interface AppRegistry {
  load(): Promise<void>;
  /**
   * Applies what another process (the operator CLI) wrote to the store: apps added, changed or
   * deleted. An app that changed keeps its `App` object, so live sessions of it can still resume.
   */
  reload(): Promise<AppReloadChanges>;
  get(appId: string): App | undefined;
  findKey(keyName: string): AppKey | undefined;
  namespaceOf(app: App, channel: string): NamespaceRecord | undefined;
  save(record: AppRecord): Promise<App>;
  remove(appId: string): Promise<boolean>;
  count(): number;
  list(): App[];
}

function toKey(appId: string, k: KeyRecord): AppKey {
  const parsedCapability = k.capability ? parseCapability(k.capability) : FULL_CAPABILITY;
  return { ...k, appId, parsedCapability };
}

function toApp(record: AppRecord): App {
  const keys = new Map<string, AppKey>();
  for (const k of record.keys) keys.set(k.keyName, toKey(record.id, k));
  const namespaces = new Map(record.namespaces.map((n) => [n.id, n]));
  return { record, keys, namespaces };
}

const sameKey = (a: KeyRecord, b: KeyRecord): boolean =>
  a.secret === b.secret &&
  a.capability === b.capability &&
  (a.revocableTokens ?? false) === (b.revocableTokens ?? false);

/**
 * Replaces an app's record in place. A key whose record is unchanged keeps its `AppKey` object;
 * the others are returned as removed (a changed secret or capability ends what used the old one).
 */
function updateApp(app: App, record: AppRecord): AppKey[] {
  const removed: AppKey[] = [];
  const keys = new Map<string, AppKey>();
  for (const k of record.keys) {
    const old = app.keys.get(k.keyName);
    keys.set(k.keyName, old && sameKey(old, k) ? old : toKey(record.id, k));
  }
  for (const [name, old] of app.keys) if (keys.get(name) !== old) removed.push(old);
  app.record = record;
  app.keys = keys;
  app.namespaces = new Map(record.namespaces.map((n) => [n.id, n]));
  return removed;
}

/** Creates the registry over a store. */
export function createAppRegistry(store: Store): AppRegistry {
  const apps = new Map<string, App>();
  /** The stored JSON of each app as last saved or loaded, to tell what a reload changed. */
  const seen = new Map<string, string>();
  // Writes and reloads run one at a time: a reload reading the store just before this process
  // saves an app must not then apply that stale listing and drop the app it just saved.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    async load() {
      for (const record of await store.listApps()) {
        apps.set(record.id, toApp(record));
        seen.set(record.id, JSON.stringify(record));
      }
    },
    reload: () =>
      serial(async () => {
        const changes: AppReloadChanges = { added: [], removed: [], removedKeys: [] };
        const records = await store.listApps();
        const present = new Set<string>();
        for (const record of records) {
          present.add(record.id);
          const json = JSON.stringify(record);
          if (seen.get(record.id) === json) continue;
          seen.set(record.id, json);
          const app = apps.get(record.id);
          if (app) changes.removedKeys.push(...updateApp(app, record));
          else {
            const added = toApp(record);
            apps.set(record.id, added);
            changes.added.push(added);
          }
        }
        for (const id of [...apps.keys()]) {
          if (present.has(id)) continue;
          apps.delete(id);
          seen.delete(id);
          changes.removed.push(id);
        }
        return changes;
      }),
    get: (appId) => apps.get(appId),
    findKey(keyName) {
      return apps.get(appIdOfKeyName(keyName))?.keys.get(keyName);
    },
    namespaceOf(app, channel) {
      const ns = channelNamespace(channel);
      return (ns && app.namespaces.get(ns)) || app.namespaces.get(channel);
    },
    save: (record) =>
      serial(async () => {
        const app = toApp(record);
        await store.saveApp(record);
        apps.set(record.id, app);
        seen.set(record.id, JSON.stringify(record));
        return app;
      }),
    remove: (appId) =>
      serial(async () => {
        if (!apps.has(appId)) return false;
        await store.deleteApp(appId);
        apps.delete(appId);
        seen.delete(appId);
        return true;
      }),
    count: () => apps.size,
    list: () => [...apps.values()],
  };
}
