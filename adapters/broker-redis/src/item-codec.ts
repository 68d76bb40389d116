/**
 * JSON for what crosses Redis, keeping binary data binary: a msgpack client's Uint8Array payload
 * would otherwise come back as a plain object. `{"$b": base64}` marks one (no message field is
 * named `$b`).
 */
export function encodeItem(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && 'type' in v && (v as { type: unknown }).type === 'Buffer')
      return { $b: Buffer.from((v as unknown as { data: number[] }).data).toString('base64') };
    if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString('base64') };
    return v;
  });
}

/** Parses what `encodeItem` made (and the entries the append script assembles from it). */
export function decodeItem<T>(text: string): T {
  // A reviver costs a call per value: only text that holds binary pays it.
  if (!text.includes('"$b"')) return JSON.parse(text) as T;
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && '$b' in v && Object.keys(v).length === 1)
      return new Uint8Array(Buffer.from((v as { $b: string }).$b, 'base64'));
    return v;
  }) as T;
}
