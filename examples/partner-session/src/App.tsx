import { mediationCatalog, type RealtimeMessage } from '@switchboard/kit/client';
import { useChannel, usePresence } from '@switchboard/react';
import { useEffect, useState } from 'react';
import { PartnerEvents, presenceChannel, sessionChannel, STAGES } from '../server/contract.js';
import { act, type PageConfig, type SessionEvent } from './api.js';
import { useOutage } from './use-outage.js';
import { useSessionState } from './use-session-state.js';

interface Props {
  sessionId: string;
  user: string;
  config: PageConfig;
}

/**
 * A partner event heard live, validated at the edge against the mediation catalog: a payload
 * that does not match is dropped (the next state fetch still shows the step).
 */
function liveEvent(m: RealtimeMessage): SessionEvent | null {
  const by = m.clientId;
  if (!by) return null;
  if (m.name === PartnerEvents.signedCompact) {
    const data = mediationCatalog.session.events[m.name].safeParse(m.data);
    return data.success
      ? { id: `live:${m.id ?? m.timestamp}`, name: m.name, by, at: data.data.signedAt }
      : null;
  }
  if (m.name === PartnerEvents.stageCompleted) {
    const data = mediationCatalog.session.events[m.name].safeParse(m.data);
    return data.success
      ? {
          id: `live:${m.id ?? m.timestamp}`,
          name: m.name,
          by,
          at: data.data.completedAt,
          stage: data.data.stage,
        }
      : null;
  }
  return null;
}

const describe = (e: SessionEvent, who: string) =>
  e.name === PartnerEvents.signedCompact
    ? `${who} signed the Curiosity Compact`
    : `${who} completed stage ${e.stage}: ${STAGES[(e.stage ?? 1) - 1]}`;

const PARTNER_TEXT = {
  online: 'is here now',
  offline: 'is away',
  unknown: 'may be here (you are offline)',
} as const;

/** When, in words a person reads at a glance ("just now", "5 min ago"). */
function ago(at: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(at)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The time, updated each minute: enough for "5 min ago". */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** One participant's view of a mediation session. */
export function App({ sessionId, user, config }: Props) {
  const { banner, down } = useOutage(config.silentMs);
  const session = useSessionState(sessionId, user, down, config.pollMs);
  const [busy, setBusy] = useState(false);
  const now = useMinuteClock();
  const [actionError, setActionError] = useState<string | null>(null);

  // Presence data as the mediation catalog defines it (who, where, since when).
  const { members } = usePresence(presenceChannel(sessionId), {
    userId: user,
    stage: 0,
    status: 'IN_PROGRESS',
    lastActive: new Date().toISOString(),
  });
  useChannel(sessionChannel(sessionId), Object.values(PartnerEvents), (m: RealtimeMessage) => {
    const event = liveEvent(m);
    if (event) session.addLive(event);
    else console.warn('dropped a partner event that does not match the catalog', m);
  });

  const state = session.state;
  const partner = state?.participants.find((p) => p !== user) ?? '';
  // While this page is visibly offline its member list is stale: say so rather than guess.
  const partnerStatus =
    banner.kind !== 'none'
      ? 'unknown'
      : members.some((m) => m.clientId === partner)
        ? 'online'
        : 'offline';
  const mine = state?.progress[user];
  const theirs = state?.progress[partner];
  const nextStage = (mine?.completedStages.length ?? 0) + 1;

  const run = (path: string) => {
    setBusy(true);
    setActionError(null);
    act(sessionId, user, path)
      .then(session.replace, (err: unknown) => setActionError(String(err)))
      .finally(() => setBusy(false));
  };

  return (
    <main>
      {banner.kind !== 'none' && (
        <div className={`banner banner-${banner.kind}`} role="status" data-banner={banner.kind}>
          {banner.text}
          {banner.kind === 'failed' && (
            <button type="button" onClick={() => location.reload()}>
              Refresh
            </button>
          )}
        </div>
      )}
      <header>
        <h1>Session {sessionId}</h1>
        <p>
          You are <strong>{capitalised(user)}</strong>
        </p>
        <p className={`partner ${partnerStatus}`} data-partner={partnerStatus} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {partner ? `${capitalised(partner)} ${PARTNER_TEXT[partnerStatus]}` : '…'}
        </p>
      </header>

      {session.error && !state && <p role="alert">Could not load the session: {session.error}</p>}
      {state && mine && theirs && (
        <>
          <section aria-labelledby="you">
            <h2 id="you">Your steps</h2>
            <ol className="stages">
              <li data-done={mine.compactSignedAt ? 'yes' : 'no'}>Curiosity Compact</li>
              {STAGES.map((name, i) => (
                <li key={name} data-done={mine.completedStages.includes(i + 1) ? 'yes' : 'no'}>
                  Stage {i + 1}: {name}
                </li>
              ))}
            </ol>
            {!mine.compactSignedAt ? (
              <button type="button" disabled={busy} onClick={() => run('compact')}>
                Sign the compact
              </button>
            ) : nextStage <= STAGES.length ? (
              <button
                type="button"
                disabled={busy}
                onClick={() => run(`stages/${nextStage}/complete`)}
              >
                Complete stage {nextStage}: {STAGES[nextStage - 1]}
              </button>
            ) : (
              <p>You have completed every stage.</p>
            )}
            {actionError && <p role="alert">{actionError}</p>}
          </section>

          <section aria-labelledby="partner">
            <h2 id="partner">{capitalised(partner)}'s progress</h2>
            <p data-partner-stages={theirs.completedStages.length}>
              {theirs.compactSignedAt ? 'Signed the compact' : 'Has not signed the compact yet'}
              {theirs.completedStages.length > 0 &&
                ` · completed ${theirs.completedStages.length} of ${STAGES.length} stages`}
            </p>
            <ul className="activity" aria-live="polite">
              {state.events
                .filter((e) => e.by === partner)
                .slice()
                .reverse()
                .map((e) => (
                  <li key={e.id} data-event-id={e.id} data-event-name={e.name}>
                    {describe(e, capitalised(partner))}
                    <time dateTime={e.at} title={new Date(e.at).toLocaleString()}>
                      {ago(e.at, now)}
                    </time>
                  </li>
                ))}
            </ul>
          </section>
        </>
      )}
    </main>
  );
}
