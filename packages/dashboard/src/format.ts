function base64Bytes(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * A message's data as REST history gives it (data plus its `encoding`, RSL6) as text for a
 * table cell: `json` shows its JSON text, `utf-8/base64` its text, binary as a byte count with
 * a hex preview. An encoding it cannot undo (`cipher+…`) is shown raw with the encoding named.
 */
export function dataText(data: unknown, encoding?: string): string {
  if (typeof data !== 'string') return data === undefined ? '' : (JSON.stringify(data) ?? '');
  let value: string | Uint8Array = data;
  const steps = encoding ? encoding.split('/') : [];
  while (steps.length > 0) {
    const step = steps[steps.length - 1];
    if (step === 'json' && typeof value === 'string') steps.pop();
    else if (step === 'base64' && typeof value === 'string') {
      const bytes = base64Bytes(value);
      if (!bytes) break;
      value = bytes;
      steps.pop();
    } else if (step === 'utf-8' && typeof value !== 'string') {
      value = new TextDecoder().decode(value);
      steps.pop();
    } else break;
  }
  if (typeof value !== 'string') {
    value = `binary, ${value.length} bytes: ${[...value.slice(0, 16)]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(' ')}${value.length > 16 ? ' …' : ''}`;
  }
  return steps.length > 0 ? `${value} (${steps.join('/')})` : value;
}

/** A time in ms since the epoch as ISO 8601 (UTC), or '' when absent. */
export function timeText(ms: number | undefined): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** At most `max` characters, with an ellipsis when cut (long payloads stay readable in a table). */
export function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
