import { Errors, parseCapability, stringifyCapability } from '@switchboard/protocol';
import { randomId, randomSecret } from '../ids.js';
import { webhookRuleFromSpec } from '../webhooks/webhook-rules.js';
import type { AppRecord, KeyRecord, NamespaceRecord, PresenceFixture } from '../ports/store.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Builds a new key of an app from a spec as `POST /apps` takes it: `capability` (object or JSON
 * text, default full access) and `revocableTokens`; the key id and secret are random.
 */
export function keyFromSpec(appId: string, spec: unknown): KeyRecord {
  const s = isObj(spec) ? spec : {};
  const capability =
    s.capability === undefined ? '{"*":["*"]}' : stringifyCapability(parseCapability(s.capability));
  const key: KeyRecord = { keyName: `${appId}.${randomId(6)}`, secret: randomSecret(), capability };
  if (s.revocableTokens === true) key.revocableTokens = true;
  return key;
}

function namespaceFromSpec(spec: unknown): NamespaceRecord {
  if (!isObj(spec) || typeof spec.id !== 'string' || spec.id === '') {
    throw Errors.badRequest('Each namespace needs an id');
  }
  const ns: NamespaceRecord = { id: spec.id };
  for (const flag of ['persisted', 'pushEnabled', 'mutableMessages', 'authenticated'] as const) {
    if (spec[flag] === true) ns[flag] = true;
  }
  return ns;
}

function fixturesFromSpec(spec: unknown): { name: string; presence: PresenceFixture[] } {
  if (!isObj(spec) || typeof spec.name !== 'string')
    throw Errors.badRequest('Each channel needs a name');
  const presence = Array.isArray(spec.presence) ? spec.presence : [];
  return {
    name: spec.name,
    presence: presence.filter(isObj).map((p) => {
      const f: PresenceFixture = { clientId: String(p.clientId ?? '') };
      if (typeof p.data === 'string') f.data = p.data;
      else if (p.data !== undefined) f.data = JSON.stringify(p.data);
      if (typeof p.encoding === 'string') f.encoding = p.encoding;
      return f;
    }),
  };
}

/**
 * Builds an app from a `POST /apps` body the way Ably's sandbox does: one key per entry of
 * `keys` in order (`{}` meaning full access), namespaces, presence fixtures, limits, webhook rules
 * (signed with the app's first key unless they name another).
 */
export function appFromSpec(body: unknown, now: number, appId = randomId(6)): AppRecord {
  const spec = isObj(body) ? body : {};
  const keySpecs = Array.isArray(spec.keys) && spec.keys.length > 0 ? spec.keys : [{}];
  const record: AppRecord = {
    id: appId,
    createdAt: now,
    keys: keySpecs.map((k) => keyFromSpec(appId, k)),
    namespaces: Array.isArray(spec.namespaces) ? spec.namespaces.map(namespaceFromSpec) : [],
  };
  if (Array.isArray(spec.channels)) record.channels = spec.channels.map(fixturesFromSpec);
  const limits =
    isObj(spec.limits) && isObj(spec.limits.presence) ? spec.limits.presence : undefined;
  if (limits && typeof limits.maxMembers === 'number') {
    record.limits = { presenceMaxMembers: limits.maxMembers };
  }
  if (Array.isArray(spec.webhooks))
    record.webhooks = spec.webhooks.map((w) => webhookRuleFromSpec(record, w));
  return record;
}

/** One key as `POST /apps` describes it: id, keyName, keySecret, keyStr, capability. */
export function describeKey(appId: string, k: KeyRecord): Obj {
  return {
    id: k.keyName.slice(appId.length + 1),
    keyName: k.keyName,
    keySecret: k.secret,
    keyStr: `${k.keyName}:${k.secret}`,
    capability: k.capability,
    ...(k.revocableTokens ? { revocableTokens: true } : {}),
  };
}

/** The `POST /apps` response: appId, keys with keyStr, namespaces. */
export function describeApp(record: AppRecord): Obj {
  return {
    appId: record.id,
    accountId: 'switchboard',
    keys: record.keys.map((k) => describeKey(record.id, k)),
    namespaces: record.namespaces,
    ...(record.webhooks ? { webhooks: record.webhooks } : {}),
  };
}
