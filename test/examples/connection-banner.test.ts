import { describe, expect, it } from 'vitest';
import { BANNER_TEXT, bannerFor } from '../../examples/partner-session/src/connection-banner.js';

// The mediation app's recovery table, at its real thresholds (the browser test shortens the
// silent period to stay fast; this checks the defaults the app ships with).
const SILENT_MS = 30_000;

describe("the partner session's connection banner", () => {
  it('stays silent for the first 30 s of an outage, retries included', () => {
    expect(bannerFor('disconnected', 0, SILENT_MS)).toEqual({ kind: 'none' });
    expect(bannerFor('connecting', 29_999, SILENT_MS)).toEqual({ kind: 'none' });
  });

  it('says "Reconnecting…" from 30 s until the connection is suspended (2 minutes)', () => {
    for (const state of ['disconnected', 'connecting'] as const)
      expect(bannerFor(state, 30_000, SILENT_MS)).toEqual({
        kind: 'reconnecting',
        text: 'Reconnecting…',
      });
    expect(bannerFor('disconnected', 119_000, SILENT_MS).kind).toBe('reconnecting');
  });

  it('says the progress is saved once suspended, and asks for a refresh when failed', () => {
    expect(bannerFor('suspended', 120_000, SILENT_MS)).toEqual({
      kind: 'saved',
      text: 'Connection lost. Your progress is saved.',
    });
    expect(bannerFor('failed', 0, SILENT_MS)).toEqual({ kind: 'failed', text: BANNER_TEXT.failed });
  });

  it('shows nothing while connected or before the first connection', () => {
    for (const state of ['initialized', 'connected', 'closed'] as const)
      expect(bannerFor(state, 60_000, SILENT_MS)).toEqual({ kind: 'none' });
  });
});
