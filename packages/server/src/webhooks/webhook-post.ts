import { signWebhookBody } from './webhook-sign.js';

/** How one webhook request ended: delivered (2xx), or failed with a reason. */
export type WebhookPostOutcome = { ok: true } | { ok: false; reason: string };

/** What one request needs: where, what, and the key that signs it. */
export interface WebhookPostRequest {
  url: string;
  body: string;
  keyName: string;
  secret: string;
  timeoutMs: number;
}

/** The protocol version sent in `X-Ably-Version`. */
export const WEBHOOK_ABLY_VERSION = '1.2';

/**
 * Posts one batch with Ably's headers. Only a 2xx counts as delivered: a redirect is a failure
 * (never followed, since following it would send the app's events to a host nobody configured),
 * and so are other statuses, connection errors and the timeout.
 */
export async function postWebhook(req: WebhookPostRequest): Promise<WebhookPostOutcome> {
  try {
    const res = await fetch(req.url, {
      method: 'POST',
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'x-ably-version': WEBHOOK_ABLY_VERSION,
        'x-ably-key': req.keyName,
        'x-ably-signature': signWebhookBody(req.body, req.secret),
      },
    });
    // The body is not needed; drain it so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true };
    return { ok: false, reason: `HTTP ${res.status}` };
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { ok: false, reason: `${String(err)}${cause}` };
  }
}
