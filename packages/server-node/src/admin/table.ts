/** Longest cell shown in a table; JSON output always has the whole value. */
const MAX_CELL = 60;

/** One line, at most MAX_CELL characters: tables must stay one row per line. */
function cell(value: string): string {
  const flat = value.replace(/[\r\n\t]+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/**
 * Formats rows under a header as aligned columns separated by two spaces (trailing spaces
 * trimmed). No rows gives the header alone: "nothing found" is an empty table, not an error.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const lines = [headers.map(cell), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((l) =>
      widths
        .map((w, i) => (l[i] ?? '').padEnd(w))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Formats name/value pairs as two aligned columns (what `apps create` and `token` print). */
export function formatPairs(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([name]) => name.length));
  // Values are printed whole: a key or token cut short would be useless.
  return pairs.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}
