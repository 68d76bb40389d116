// The server-side entry: what an app backend uses (Node only).
export { createNotifier, NotifyError } from './notifier.js';
export type { Notifier, NotifierOptions, NotifyInput, NotifyResult } from './notifier.js';
export { verifyWebhookSignature } from './webhook-signature.js';
