/** Longest text one placeholder adds, so a large data field cannot blow up a push's title. */
export const MAX_PLACEHOLDER_LENGTH = 200;

/** The value at a dotted path of `data` (`{agreement.title}`), when it is text, a number or a boolean. */
function lookup(data: unknown, path: string): string | undefined {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Fills `{name}` placeholders from `data` (dotted paths reach nested fields). A placeholder the
 * data does not fill becomes empty rather than showing braces to the person reading the push;
 * spaces left doubled by that are collapsed.
 */
export function fillPlaceholders(template: string, data: unknown): string {
  const filled = template.replace(/\{([A-Za-z0-9_.-]+)\}/g, (_, path: string) =>
    (lookup(data, path) ?? '').slice(0, MAX_PLACEHOLDER_LENGTH),
  );
  return filled === template ? filled : filled.replace(/ {2,}/g, ' ').trim();
}
