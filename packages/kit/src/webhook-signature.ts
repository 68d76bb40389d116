import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks a webhook request's `X-Ably-Signature`: the base64 HMAC-SHA256 of the raw body bytes,
 * keyed with the secret of the key named in `X-Ably-Key` (the part after the `:`). Give the body
 * exactly as received: parsing and re-serialising JSON changes the bytes and fails the check.
 * The comparison takes the same time whatever the signature, so it leaks nothing about the
 * expected one.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  signature: string | null | undefined,
  secret: string,
): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
