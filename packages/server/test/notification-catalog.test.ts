import {
  DEFAULT_MESSAGES,
  fillPlaceholders,
  messageFor,
  validateCatalog,
} from '@switchboard/server';
import { describe, expect, it } from 'vitest';

describe('notification catalog', () => {
  it('ships a message for each of the mediation app’s session events', () => {
    expect(Object.keys(DEFAULT_MESSAGES).sort()).toEqual(
      [
        'partner.signed_compact',
        'partner.stage_completed',
        'partner.advanced',
        'partner.empathy_shared',
        'partner.needs_shared',
        'partner.ranking_submitted',
        'agreement.proposed',
        'agreement.confirmed',
        'session.paused',
        'session.resumed',
        'session.resolved',
      ].sort(),
    );
  });

  it('looks up the app, then all apps, then the defaults; unknown events get a `*` or the default', () => {
    const catalog = validateCatalog({
      app1: {
        'session.paused': { title: 'Paused by {by}', body: '{reason}' },
        '*': { title: 'App1', body: 'news' },
      },
      '*': { 'session.paused': { title: 'All apps', body: 'x' } },
    });
    expect(messageFor(catalog, 'app1', 'session.paused', { by: 'Sam', reason: 'break' })).toEqual({
      title: 'Paused by Sam',
      body: 'break',
      known: true,
    });
    expect(messageFor(catalog, 'app2', 'session.paused', {}).title).toBe('All apps');
    expect(messageFor(catalog, 'app2', 'session.resolved', {}).title).toBe('Session resolved');
    expect(messageFor(catalog, 'app1', 'other', {})).toMatchObject({ title: 'App1', known: false });
    expect(messageFor(catalog, 'app2', 'other', {})).toMatchObject({ title: 'New activity' });
    // An event named like an Object property is still unknown.
    expect(messageFor({}, 'app2', 'constructor', {}).title).toBe('New activity');
  });

  it('fills placeholders from data: nested paths, missing ones left out, long values cut', () => {
    expect(fillPlaceholders('Stage {stage} of {total}', { stage: 2, total: 4 })).toBe(
      'Stage 2 of 4',
    );
    expect(fillPlaceholders('Hi {user.name}!', { user: { name: 'Ann' } })).toBe('Hi Ann!');
    expect(fillPlaceholders('Moved to {toStage} now', {})).toBe('Moved to now');
    expect(fillPlaceholders('{x}', { x: { nested: true } })).toBe('');
    expect(fillPlaceholders('{x}', { x: 'y'.repeat(500) })).toHaveLength(200);
  });

  it('refuses a malformed catalog with a TypeError naming the entry', () => {
    expect(() => validateCatalog([])).toThrow(TypeError);
    expect(() => validateCatalog({ app1: { e: { title: 'x' } } })).toThrow(/app1\["e"\]/);
  });
});
