import { createHmac } from 'node:crypto';

/**
 * The `X-Ably-Signature` of a webhook body: base64 HMAC-SHA256 of the raw body bytes keyed with
 * the secret of the rule's key, as Ably signs its webhook requests.
 */
export function signWebhookBody(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}
