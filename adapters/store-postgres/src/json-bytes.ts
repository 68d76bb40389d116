/**
 * JSON cannot carry bytes: binary values inside JSON columns (extras, a latest version's data)
 * are stored as `{ $bytes: base64 }` and revived as Buffers, as the SQLite store does.
 */
export function replaceBytes(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  // JSON.stringify calls a Buffer's toJSON before the replacer sees it.
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') {
    const data = (value as { data: number[] }).data;
    return { $bytes: Buffer.from(data).toString('base64') };
  }
  return value;
}

/** The reviver matching `replaceBytes`. */
export function reviveBytes(_key: string, value: unknown): unknown {
  if (
    value &&
    typeof value === 'object' &&
    typeof (value as { $bytes?: unknown }).$bytes === 'string'
  )
    return Buffer.from((value as { $bytes: string }).$bytes, 'base64');
  return value;
}
