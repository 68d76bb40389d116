import { z } from 'zod';

/** A payload that does not match its event's schema. */
export class CatalogValidationError extends TypeError {
  readonly channel: string;
  readonly event: string;
  readonly issues: z.core.$ZodIssue[];

  constructor(channel: string, event: string, error: z.ZodError | string) {
    const detail = typeof error === 'string' ? error : z.prettifyError(error);
    super(`Invalid payload for "${event}" on ${channel}: ${detail}`);
    this.name = 'CatalogValidationError';
    this.channel = channel;
    this.event = event;
    this.issues = typeof error === 'string' ? [] : error.issues;
  }
}

/** A received message or presence member that was dropped because it did not validate. */
export interface InvalidEventReport {
  channel: string;
  /** The event name, or `presence` for presence data. */
  event: string;
  error: CatalogValidationError;
  /** What arrived. */
  received: unknown;
}

/** Validates `value`; returns the parsed value or the error. */
export function check(
  schema: z.ZodType,
  channel: string,
  event: string,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; error: CatalogValidationError } {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: new CatalogValidationError(channel, event, result.error) };
}
