import type { RealtimeErrorInfo } from './types.js';

/** An error with Ably's five-digit code and HTTP status, as both providers reject with. */
export class RealtimeError extends Error implements RealtimeErrorInfo {
  readonly code: number;
  readonly statusCode: number;

  constructor(message: string, code: number, statusCode: number) {
    super(message);
    this.name = 'RealtimeError';
    this.code = code;
    this.statusCode = statusCode;
  }

  /** Wraps whatever a provider library rejected with, keeping its code and status if it had them. */
  static from(err: unknown): RealtimeError {
    if (err instanceof RealtimeError) return err;
    const e = (err ?? {}) as Partial<RealtimeErrorInfo>;
    const message = typeof e.message === 'string' ? e.message : String(err);
    return new RealtimeError(
      message,
      typeof e.code === 'number' ? e.code : 50000,
      typeof e.statusCode === 'number' ? e.statusCode : 500,
    );
  }
}

/** The errors the memory provider produces, with the codes Ably uses for the same situations. */
export const MemoryErrors = {
  connectionClosed: () => new RealtimeError('Connection closed', 80017, 400),
  connectionSuspended: () => new RealtimeError('Connection to server unavailable', 80002, 400),
  connectionFailed: (reason?: string) =>
    new RealtimeError(reason ?? 'Connection failed', 80000, 503),
  disconnected: () => new RealtimeError('Connection to server temporarily unavailable', 80003, 400),
  unsupportedData: () => new RealtimeError('Data type is unsupported', 40013, 400),
  noClientId: () => new RealtimeError('Unable to enter presence channel (no clientId)', 91000, 400),
} as const;

/** An ErrorInfo-shaped copy (listeners get plain data, not Error instances). */
export function toErrorInfo(
  err: RealtimeErrorInfo | null | undefined,
): RealtimeErrorInfo | undefined {
  if (!err) return undefined;
  return { message: err.message, code: err.code, statusCode: err.statusCode };
}
