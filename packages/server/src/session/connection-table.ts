import { timingSafeEqual } from 'node:crypto';
import type { Session } from './session.js';

/** Live and resumable connections by id, and lookup by resume key. */
export interface ConnectionTable {
  add(session: Session): void;
  remove(session: Session): void;
  byId(id: string): Session | undefined;
  /** The session whose current key, or the key it last resumed with, this is (RTN15b, RTN15e). */
  byKey(key: string): Session | undefined;
  all(): IterableIterator<Session>;
  size(): number;
}

/** Creates an empty table. */
export function createConnectionTable(): ConnectionTable {
  const sessions = new Map<string, Session>();
  return {
    add: (s) => void sessions.set(s.id, s),
    remove: (s) => void (sessions.get(s.id) === s && sessions.delete(s.id)),
    byId: (id) => sessions.get(id),
    byKey(key) {
      const bang = key.indexOf('!');
      const s = bang > 0 ? sessions.get(key.slice(0, bang)) : undefined;
      if (!s) return undefined;
      const known = s.knownKey !== undefined && sameSecret(s.knownKey, key);
      return sameSecret(s.key, key) || known ? s : undefined;
    },
    all: () => sessions.values(),
    size: () => sessions.size,
  };
}

/** Compares connection keys in constant time: the part after `!` is a bearer secret. */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
