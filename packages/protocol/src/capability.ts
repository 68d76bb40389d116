import { Errors } from './errors.js';

/** Operations a capability can grant (ably.d.ts `capabilityOp`). */
export const OPERATIONS = [
  'publish',
  'subscribe',
  'presence',
  'history',
  'stats',
  'channel-metadata',
  'push-subscribe',
  'push-admin',
  'privileged-headers',
  'object-subscribe',
  'object-publish',
  'annotation-subscribe',
  'annotation-publish',
  'message-update-own',
  'message-update-any',
  'message-delete-own',
  'message-delete-any',
] as const;

/** A capability operation name. */
export type Operation = (typeof OPERATIONS)[number];

/** Resource pattern → operations (or `*`), in insertion order. */
export type Capability = ReadonlyMap<string, readonly string[]>;

const VALID_OPS = new Set<string>([...OPERATIONS, '*']);

/** The capability of a key with none configured. */
export const FULL_CAPABILITY: Capability = new Map([['*', ['*']]]);

/** Parses a capability given as JSON text or an object; throws 40000-class 400 errors when invalid. */
export function parseCapability(input: unknown): Capability {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw Errors.invalidParameter('Invalid capability: not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw Errors.invalidParameter('Invalid capability: must be an object of resource → operations');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw Errors.invalidParameter('Invalid capability: empty');
  const result = new Map<string, string[]>();
  for (const [resource, ops] of entries) {
    if (!Array.isArray(ops) || ops.length === 0) {
      throw Errors.invalidParameter(`Invalid capability: no operations for "${resource}"`);
    }
    for (const op of ops) {
      if (typeof op !== 'string' || !VALID_OPS.has(op)) {
        // Not String(op): a deeply nested array would recurse to a stack overflow (found by
        // `npm run fuzz`).
        const shown = typeof op === 'string' ? op : Array.isArray(op) ? 'an array' : typeof op;
        throw Errors.invalidParameter(`Invalid capability operation: ${shown}`);
      }
    }
    if (ops.includes('*') && ops.length > 1) {
      throw Errors.invalidParameter(`Invalid capability: "*" combined with other operations`);
    }
    // Operations are held sorted: the canonical form Ably returns in keys and tokens.
    result.set(resource, [...(ops as string[])].sort());
  }
  return result;
}

/** Canonical JSON text of a capability, in its own order (what TokenDetails.capability carries). */
export function stringifyCapability(cap: Capability): string {
  return JSON.stringify(Object.fromEntries(cap));
}

function isQualified(name: string): boolean {
  return name.startsWith('[');
}

/**
 * Whether a resource pattern covers a name (or a narrower pattern): `*` covers any unqualified
 * name, `[*]*` everything, `ns:*` one or more trailing segments, a middle `*` exactly one segment.
 */
export function resourceMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (pattern === '[*]*') return true;
  if (pattern === '*') return !isQualified(name);
  if (pattern.startsWith('[')) {
    const close = pattern.indexOf(']');
    const qualifier = pattern.slice(0, close + 1);
    if (!name.startsWith(qualifier)) return false;
    return resourceMatches(pattern.slice(close + 1), name.slice(qualifier.length));
  }
  if (isQualified(name)) return false;
  const p = pattern.split(':');
  const n = name.split(':');
  for (let i = 0; i < p.length; i++) {
    const seg = p[i];
    const last = i === p.length - 1;
    if (seg === '*' && last && p.length > 1)
      return n.length > i && n.slice(i).every((s) => s !== '');
    if (i >= n.length) return false;
    if (seg === '*' && p.length > 1) continue;
    if (seg !== n[i]) return false;
  }
  return p.length === n.length;
}

function permitsExactly(cap: Capability, channel: string, op: Operation): boolean {
  for (const [pattern, ops] of cap) {
    if ((ops.includes('*') || ops.includes(op)) && resourceMatches(pattern, channel)) return true;
  }
  return false;
}

const CHAT_SUFFIX = '::$chat';

/**
 * Whether the capability permits `op` on `channel`. A Chat room `R` lives on the channel
 * `R::$chat`, and Ably's chat docs grant rooms by their bare name (`{"R": [...]}`, or the older
 * `[chat]R`): either covers the room's channel.
 */
export function permits(cap: Capability, channel: string, op: Operation): boolean {
  if (permitsExactly(cap, channel, op)) return true;
  if (!channel.endsWith(CHAT_SUFFIX) || channel.startsWith('[')) return false;
  const room = channel.slice(0, -CHAT_SUFFIX.length);
  return room !== '' && (permitsExactly(cap, room, op) || permitsExactly(cap, `[chat]${room}`, op));
}

/**
 * Whether the capability grants `op` for the app as a whole: on a resource that names every
 * channel (`*` or `[*]*`). App-wide operations such as `stats` are checked this way.
 */
export function permitsAppWide(cap: Capability, op: Operation): boolean {
  for (const [pattern, ops] of cap) {
    if ((pattern === '*' || pattern === '[*]*') && (ops.includes('*') || ops.includes(op)))
      return true;
  }
  return false;
}

/** Whether the capability grants `op` on at least one resource. */
export function permitsSomewhere(cap: Capability, op: Operation): boolean {
  for (const ops of cap.values()) if (ops.includes('*') || ops.includes(op)) return true;
  return false;
}

function intersectOps(requested: readonly string[], granted: readonly string[]): string[] {
  if (granted.includes('*')) return [...requested];
  if (requested.includes('*')) return [...granted];
  return granted.filter((op) => requested.includes(op));
}

function mergeInto(result: Map<string, string[]>, resource: string, ops: string[]): void {
  if (ops.length === 0) return;
  const existing = result.get(resource);
  if (!existing) {
    result.set(resource, ops);
    return;
  }
  if (existing.includes('*') || ops.includes('*')) {
    result.set(resource, ['*']);
    return;
  }
  for (const op of ops) if (!existing.includes(op)) existing.push(op);
}

/**
 * A token's capability: what was requested, narrowed to what the key allows (spec RSA10, TK2b).
 * Throws 40160 when nothing is left.
 */
export function intersectCapabilities(requested: Capability, key: Capability): Capability {
  const result = new Map<string, string[]>();
  for (const [reqResource, reqOps] of requested) {
    for (const [keyResource, keyOps] of key) {
      if (resourceMatches(keyResource, reqResource)) {
        mergeInto(result, reqResource, intersectOps(reqOps, keyOps));
      } else if (resourceMatches(reqResource, keyResource)) {
        mergeInto(result, keyResource, intersectOps(reqOps, keyOps));
      }
    }
  }
  if (result.size === 0) throw Errors.capabilityEmpty();
  for (const ops of result.values()) ops.sort();
  return result;
}
