import { Errors } from './errors.js';

/** A channel name split into its `[qualifier]` prefix, params given in the name, and base name. */
export interface ChannelName {
  /** The name that identifies the channel: `[meta]x` stays qualified, `[?rewind=1]x` becomes `x`. */
  name: string;
  /** Params given as a `[?k=v&…]` qualifier (spec RTL4k-style name params). */
  params: Record<string, string>;
  /** A `[filter=…]` derived-channel expression, if any. */
  filter?: string;
}

const MAX_NAME_LENGTH = 2048;

/** Parses and validates a channel name; throws 40010 for an invalid one (spec RSL, RTL4). */
export function parseChannelName(raw: unknown): ChannelName {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_NAME_LENGTH) {
    // Not String() of anything: a deeply nested array would recurse to a stack overflow.
    throw Errors.invalidChannelName(
      typeof raw === 'string'
        ? raw.slice(0, 64)
        : typeof raw === 'object' && raw !== null
          ? Array.isArray(raw)
            ? 'an array'
            : 'an object'
          : String(raw),
    );
  }
  if (raw.startsWith(':')) throw Errors.invalidChannelName(raw);
  if (!raw.startsWith('[')) return { name: raw, params: {} };

  const close = raw.indexOf(']');
  if (close < 2 || close === raw.length - 1) throw Errors.invalidChannelName(raw);
  const qualifier = raw.slice(1, close);
  const rest = raw.slice(close + 1);
  if (qualifier.startsWith('?')) {
    const params: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(qualifier.slice(1))) params[k] = v;
    const inner = parseChannelName(rest);
    return { ...inner, params: { ...inner.params, ...params } };
  }
  if (qualifier.startsWith('filter=')) {
    // `[filter=<base64>?rewind=1]name`: a derived channel, optionally with params (RTS5).
    const [filter = '', query] = qualifier.slice('filter='.length).split('?', 2) as [
      string,
      string?,
    ];
    if (filter === '') throw Errors.invalidChannelName(raw);
    const inner = parseChannelName(rest);
    const params: Record<string, string> = { ...inner.params };
    for (const [k, v] of new URLSearchParams(query ?? '')) params[k] = v;
    return { ...inner, params, filter };
  }
  if (qualifier === 'meta' || qualifier === 'queue' || /^[a-z][\w-]*$/i.test(qualifier)) {
    return { name: raw, params: {} };
  }
  throw Errors.invalidChannelName(raw);
}

/** The namespace of a channel: the part before the first `:`, if any. */
export function channelNamespace(name: string): string | undefined {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon) : undefined;
}
