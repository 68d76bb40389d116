import { z } from 'zod';
import type { Capability, Operation } from './capability.js';

/** The `{name}` placeholders of a channel-name pattern, as a union of names. */
export type PatternParams<S extends string> = S extends `${string}{${infer P}}${infer Rest}`
  ? P | PatternParams<Rest>
  : never;

/** Values for a pattern's placeholders. */
export type ChannelParams<S extends string> = { [K in PatternParams<S>]: string };

/** Event name → payload schema. */
export type EventSchemas = Record<string, z.ZodType>;

/** A channel family defined once: its name pattern, its events' payload schemas, its presence data. */
export interface ChannelDefinition<
  S extends string = string,
  E extends EventSchemas = EventSchemas,
  P extends z.ZodType = z.ZodType,
> {
  readonly pattern: S;
  readonly events: E;
  /** Schema of presence data (anything when not given). */
  readonly presence: P;
  /** The channel name for these params; throws a TypeError for a value that could escape its slot. */
  name(params: ChannelParams<S>): string;
  /** The params of a channel name of this family, or null when it is not one. */
  match(channel: string): ChannelParams<S> | null;
  /** A capability granting exactly `ops` on the channel for these params. */
  grant(params: ChannelParams<S>, ops: Operation[]): Capability;
}

// A value with one of these could name another channel (`:`), widen a grant (`*`), or break the
// capability syntax; ids in channel names never need them.
const UNSAFE = /[:*,[\]\s]/;

/** Defines a channel family. */
export function defineChannel<
  S extends string,
  E extends EventSchemas,
  P extends z.ZodType = z.ZodUnknown,
>(spec: { pattern: S; events: E; presence?: P }): ChannelDefinition<S, E, P> {
  const parts = spec.pattern.split(/(\{[^}]+\})/).filter((p) => p !== '');
  const names = parts.filter((p) => p.startsWith('{')).map((p) => p.slice(1, -1));
  const regex = new RegExp(
    `^${parts.map((p) => (p.startsWith('{') ? '([^:]+)' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
  );
  const name = (params: ChannelParams<S>): string =>
    parts
      .map((p) => {
        if (!p.startsWith('{')) return p;
        const key = p.slice(1, -1);
        const value = (params as Record<string, unknown>)[key];
        if (typeof value !== 'string' || value === '' || UNSAFE.test(value)) {
          throw new TypeError(
            `${spec.pattern}: ${key} must be a non-empty string without ':', '*', ',', brackets or spaces (got ${JSON.stringify(value)})`,
          );
        }
        return value;
      })
      .join('');
  return {
    pattern: spec.pattern,
    events: spec.events,
    presence: (spec.presence ?? z.unknown()) as P,
    name,
    match(channel) {
      const m = regex.exec(channel);
      if (!m) return null;
      return Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) as ChannelParams<S>;
    },
    grant: (params, ops) => ({ [name(params)]: [...new Set(ops)].sort() }),
  };
}
