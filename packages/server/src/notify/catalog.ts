import { fillPlaceholders } from './placeholders.js';

/** A push's text for one event: `{placeholder}`s are filled from the notification's data. */
export interface CatalogMessage {
  title: string;
  body: string;
}

/**
 * Per app id (or `*` for every app), per event name (or `*` for that app's default), the push
 * text. Comes from `notifications.catalog` in the config file.
 */
export type NotificationCatalog = Readonly<
  Record<string, Readonly<Record<string, CatalogMessage>>>
>;

/** The mediation app's session events (its realtime design notes), so it needs no config. */
export const DEFAULT_MESSAGES: Readonly<Record<string, CatalogMessage>> = {
  'partner.signed_compact': {
    title: 'Partner is ready',
    body: 'They signed the Curiosity Compact. Your turn!',
  },
  'partner.stage_completed': {
    title: 'Partner finished a stage',
    body: 'They completed their work. Check in when ready.',
  },
  'partner.advanced': {
    title: 'Partner moved ahead',
    body: 'They advanced to the next stage. Join them when you are ready.',
  },
  'partner.empathy_shared': {
    title: 'Partner shared their empathy attempt',
    body: 'See how they imagine you might be feeling.',
  },
  'partner.needs_shared': {
    title: 'Partner shared their needs',
    body: 'See what matters most to them right now.',
  },
  'partner.ranking_submitted': {
    title: 'Partner ranked the strategies',
    body: 'Add your ranking to see where you agree.',
  },
  'agreement.proposed': {
    title: 'New experiment proposed',
    body: 'Review and confirm the agreement.',
  },
  'agreement.confirmed': {
    title: 'Agreement confirmed',
    body: 'You both confirmed the agreement. Time to try it out.',
  },
  'session.paused': { title: 'Session paused', body: 'Your session is on hold for now.' },
  'session.resumed': { title: 'Session resumed', body: 'Your session is active again.' },
  'session.resolved': {
    title: 'Session resolved',
    body: 'You reached a resolution together. Well done.',
  },
};

/** What an event nobody described gets. */
export const DEFAULT_MESSAGE: CatalogMessage = {
  title: 'New activity',
  body: 'You have an update',
};

const isMessage = (v: unknown): v is CatalogMessage =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as CatalogMessage).title === 'string' &&
  typeof (v as CatalogMessage).body === 'string';

/**
 * Checks a catalog from config: `{ appId | "*": { event | "*": { title, body } } }`. A mistake
 * is a TypeError naming the entry, at startup rather than as a blank push later.
 */
export function validateCatalog(value: unknown): NotificationCatalog {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('notifications.catalog must be an object of apps');
  for (const [appId, events] of Object.entries(value)) {
    if (typeof events !== 'object' || events === null || Array.isArray(events))
      throw new TypeError(`notifications.catalog.${appId} must be an object of events`);
    for (const [event, message] of Object.entries(events as object))
      if (!isMessage(message))
        throw new TypeError(
          `notifications.catalog.${appId}["${event}"] needs string title and body`,
        );
  }
  return value as NotificationCatalog;
}

/** A record's own entry: an event named `constructor` must not find Object's. */
function entry<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The push text for an event: the app's entry, then the all-apps entry, then the built-in
 * defaults; for an unknown event the app's `*`, the all-apps `*`, then DEFAULT_MESSAGE.
 */
export function messageFor(
  catalog: NotificationCatalog,
  appId: string,
  event: string,
  data: unknown,
): CatalogMessage & { known: boolean } {
  const own = entry(catalog, appId);
  const all = entry(catalog, '*');
  const known = entry(own, event) ?? entry(all, event) ?? entry(DEFAULT_MESSAGES, event);
  const message = known ?? entry(own, '*') ?? entry(all, '*') ?? DEFAULT_MESSAGE;
  return {
    title: fillPlaceholders(message.title, data),
    body: fillPlaceholders(message.body, data),
    known: known !== undefined,
  };
}
