/** How a notification went, as `POST /notify` answers it. */
export interface NotifyResult {
  /** `realtime`: published on the channel; `push`: sent to the recipient's devices; `none`: neither. */
  delivered: 'realtime' | 'push' | 'none';
  /** Why, in words (also in the notification log). */
  reason: string;
  /** Devices the push reached. */
  devices: number;
  /** The notification log row's id. */
  logId?: number;
}

/** One notification: the event for `recipientClientId`, on `channel` or by push. */
export interface NotifyInput {
  channel: string;
  /** Whose presence decides the route; the event channel when not given. */
  presenceChannel?: string;
  recipientClientId: string;
  event: string;
  /** The event's data on the channel; fills the push text's `{placeholders}`. */
  data?: unknown;
  /** `nudge`: limited per sender and recipient (default one per 6 hours). */
  kind?: 'event' | 'nudge';
  /** Who sends it (the log's sender, the nudge limit's key); defaults to the notifier's. */
  senderClientId?: string;
}

/** Options of createNotifier. */
export interface NotifierOptions {
  /** The server's base URL, e.g. `https://realtime.example.com`. */
  endpoint: string;
  /** An API key `appId.keyId:secret` with `publish` on the channels notified. */
  key: string;
  /** The default sender clientId. */
  clientId?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof fetch;
}

/** A server-side notifier: presence-routed notifications with push fallback. */
export interface Notifier {
  notify(input: NotifyInput): Promise<NotifyResult>;
}

/** A refused notify: the server's error code and status, and for a nudge when the next is allowed. */
export class NotifyError extends Error {
  readonly code: number;
  readonly statusCode: number;
  /** For a nudge over the limit (429): when the next nudge to this recipient is allowed (ms). */
  readonly nextAllowedAt?: number;

  constructor(message: string, code: number, statusCode: number, nextAllowedAt?: number) {
    super(message);
    this.name = 'NotifyError';
    this.code = code;
    this.statusCode = statusCode;
    if (nextAllowedAt !== undefined) this.nextAllowedAt = nextAllowedAt;
  }
}

interface ErrorBody {
  error?: { message?: unknown; code?: unknown };
  nextAllowedAt?: unknown;
}

/** The NotifyError for a non-2xx answer, from its Ably-shaped body when it has one. */
async function errorOf(res: Response): Promise<NotifyError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's error page, say): the status alone is reported.
  }
  const message = typeof body.error?.message === 'string' ? body.error.message : res.statusText;
  const code = typeof body.error?.code === 'number' ? body.error.code : res.status * 100;
  const next = typeof body.nextAllowedAt === 'number' ? body.nextAllowedAt : undefined;
  return new NotifyError(message, code, res.status, next);
}

/**
 * Creates a notifier that calls the server's `POST /notify`: the event reaches the recipient on
 * the channel when they are present there, otherwise as a push to their devices. Throws a
 * NotifyError when the server refuses (a 400 names the field; a 429 nudge carries `nextAllowedAt`).
 */
export function createNotifier(options: NotifierOptions): Notifier {
  if (!/^https?:\/\//.test(options.endpoint))
    throw new TypeError(`endpoint must be an http(s) URL: ${options.endpoint}`);
  if (!/^[^.:]+\.[^:]+:.+$/.test(options.key))
    throw new TypeError('key must be an API key appId.keyId:secret');
  const url = `${options.endpoint.replace(/\/+$/, '')}/notify`;
  const authorization = `Basic ${Buffer.from(options.key).toString('base64')}`;
  const doFetch = options.fetch ?? fetch;
  return {
    async notify(input) {
      const { senderClientId = options.clientId, ...body } = input;
      const headers: Record<string, string> = {
        authorization,
        'content-type': 'application/json',
        accept: 'application/json',
      };
      // Basic auth names its clientId in this header (Ably RSA7e), base64 so any text fits.
      if (senderClientId !== undefined)
        headers['x-ably-clientid'] = Buffer.from(senderClientId).toString('base64');
      const res = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
      if (!res.ok) throw await errorOf(res);
      return (await res.json()) as NotifyResult;
    },
  };
}
