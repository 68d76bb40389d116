import { Errors } from '@switchboard/protocol';
import { randomId } from '../ids.js';
import type { AppRecord } from '../ports/store.js';
import { WEBHOOK_SOURCES, type WebhookRule, type WebhookSource } from '../ports/webhook-outbox.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSource = (v: unknown): v is WebhookSource =>
  (WEBHOOK_SOURCES as readonly unknown[]).includes(v);

/** Longest channel filter accepted: a regex is compiled once per rule, but it must stay small. */
const MAX_FILTER_LENGTH = 500;

/**
 * Validates a webhook rule spec (`{ url, sources, channelFilter?, keyName?, id? }`) against the
 * app it belongs to. The key defaults to the app's first key; an explicit key must be the app's.
 * Throws 40000 for anything malformed, so nothing half-valid is ever saved.
 */
export function webhookRuleFromSpec(app: AppRecord, spec: unknown): WebhookRule {
  if (!isObj(spec)) throw Errors.badRequest('A webhook rule must be an object');
  const url = typeof spec.url === 'string' ? spec.url : '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw Errors.badRequest('A webhook rule needs an absolute http(s) url');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw Errors.badRequest('A webhook rule needs an absolute http(s) url');
  const sources = Array.isArray(spec.sources) ? spec.sources : ['channel.message'];
  if (sources.length === 0 || !sources.every(isSource))
    throw Errors.badRequest(`Webhook sources must be among ${WEBHOOK_SOURCES.join(', ')}`);
  const keyName = spec.keyName === undefined ? app.keys[0]?.keyName : spec.keyName;
  if (typeof keyName !== 'string' || !app.keys.some((k) => k.keyName === keyName))
    throw Errors.badRequest('A webhook rule needs a keyName of its app, to sign with');
  if (spec.id !== undefined && (typeof spec.id !== 'string' || !/^[\w-]{1,64}$/.test(spec.id)))
    throw Errors.badRequest('A webhook rule id is 1 to 64 letters, digits, _ or -');
  const rule: WebhookRule = {
    id: typeof spec.id === 'string' ? spec.id : randomId(8),
    url: parsed.toString(),
    sources: [...new Set(sources)],
    keyName,
  };
  if (spec.channelFilter !== undefined && spec.channelFilter !== '') {
    if (typeof spec.channelFilter !== 'string' || spec.channelFilter.length > MAX_FILTER_LENGTH)
      throw Errors.badRequest('A webhook channelFilter must be a short regular expression');
    try {
      new RegExp(spec.channelFilter);
    } catch {
      throw Errors.badRequest(`Invalid webhook channelFilter: ${spec.channelFilter}`);
    }
    rule.channelFilter = spec.channelFilter;
  }
  return rule;
}

/** A rule as the admin API and CLI show it (never a secret: only the key's name). */
export function describeWebhookRule(rule: WebhookRule): Obj {
  return { ...rule, ...(rule.paused ? {} : { paused: false }) };
}
