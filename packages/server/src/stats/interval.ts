import { Errors } from '@switchboard/protocol';

/** Stats interval granularities (TS12). */
export type StatsUnit = 'minute' | 'hour' | 'day' | 'month';

const pad = (n: number): string => String(n).padStart(2, '0');

/** The start (UTC ms) of the interval of `unit` that contains `ms`. */
export function intervalStart(ms: number, unit: StatsUnit): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  if (unit === 'month') return Date.UTC(y, mo, 1);
  if (unit === 'day') return Date.UTC(y, mo, d.getUTCDate());
  if (unit === 'hour') return Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours());
  return Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
}

/** The end (exclusive) of the interval starting at `start`. */
export function intervalEnd(start: number, unit: StatsUnit): number {
  const d = new Date(start);
  if (unit === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return start + { day: 86_400_000, hour: 3_600_000, minute: 60_000 }[unit];
}

/** Ably's interval id: `yyyy-mm`, `yyyy-mm-dd`, `yyyy-mm-dd:hh` or `yyyy-mm-dd:hh:mm`. */
export function intervalId(start: number, unit: StatsUnit): string {
  const d = new Date(start);
  const month = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  if (unit === 'month') return month;
  const day = `${month}-${pad(d.getUTCDate())}`;
  if (unit === 'day') return day;
  const hour = `${day}:${pad(d.getUTCHours())}`;
  return unit === 'hour' ? hour : `${hour}:${pad(d.getUTCMinutes())}`;
}

/** Parses a time given as milliseconds or as an interval id; undefined when absent. */
export function parseStatsTime(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const m = /^(\d{4})-(\d{2})(?:-(\d{2})(?::(\d{2})(?::(\d{2}))?)?)?$/.exec(value);
  if (!m) throw Errors.invalidParameter(`Invalid time: ${value}`);
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3] ?? 1),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
  );
}
