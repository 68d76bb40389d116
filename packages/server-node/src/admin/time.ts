import { AdminError } from './command.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a `--since`/`--until` value: epoch milliseconds (`1735689600000`), a duration back from
 * now (`90s`, `10m`, `2h`, `7d`) or an ISO 8601 time (`2025-01-01T12:00:00Z`).
 */
export function parseTime(value: string, now: number): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  // Date.parse alone would also take "March 7" and other locale-dependent forms.
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new AdminError(`invalid time "${value}" (use an ISO time, epoch ms, or 10m / 2h / 7d)`);
  return ms;
}

/** A UTC timestamp for tables: ISO 8601 to the millisecond. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

/** Parses a positive integer option such as `--limit`; `fallback` when absent. */
export function parseCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new AdminError(`--${name} must be a positive integer`);
  return n;
}
