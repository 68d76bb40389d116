/**
 * What the backend and the page share (no Node imports, so the page bundles it): channel and
 * event names of a mediation session, and the shapes of the JSON the backend answers.
 * The page only subscribes: every event is published by the backend (through `notify`), so a
 * user's token needs no publish right anywhere.
 */
export const sessionChannel = (sessionId: string) => `meetwithoutfear:session:${sessionId}`;

/** Presence lives on its own channel, as in the mediation app: who is in the session right now. */
export const presenceChannel = (sessionId: string) =>
  `meetwithoutfear:session:${sessionId}:presence`;

/** The partner events this example sends; the server's push catalog has texts for each. */
export const PartnerEvents = {
  signedCompact: 'partner.signed_compact',
  stageCompleted: 'partner.stage_completed',
} as const;

export type PartnerEventName = (typeof PartnerEvents)[keyof typeof PartnerEvents];

/** Session ids and user ids: short, and safe inside a channel name (no `:`, `*`, `[`). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The payload of a partner event on the channel, as the mediation catalog defines it. */
export function partnerEventData(event: SessionEvent): Record<string, unknown> {
  return event.name === PartnerEvents.signedCompact
    ? { signedAt: event.at }
    : { stage: event.stage, completedAt: event.at };
}

/**
 * Whether two events are the same step. A step happens once (one signature, one completion per
 * stage), so an event heard live and the same event read back from the backend match by what
 * they say rather than by an id the channel payload does not carry.
 */
export const sameStep = (a: SessionEvent, b: SessionEvent) =>
  a.name === b.name && a.by === b.by && a.stage === b.stage;

/** The four stages of a session, in order. */
export const STAGES = ['Witness', 'Perspective stretch', 'Needs', 'Strategies'] as const;

/** One person's progress in a session. */
export interface Progress {
  compactSignedAt: string | null;
  /** Stages completed, 1-based, in order. */
  completedStages: number[];
}

/** Something a participant did, kept so a page that missed it live still sees it. */
export interface SessionEvent {
  id: string;
  name: PartnerEventName;
  by: string;
  at: string;
  stage?: number;
  /** How the partner was told: `notify`'s answer (`realtime`, `push`, `none`) or `failed`. */
  delivered?: string;
}

/** The whole state of a session as the page reads it (GET /api/sessions/:id). */
export interface SessionState {
  id: string;
  participants: [string, string];
  progress: Record<string, Progress>;
  events: SessionEvent[];
}

/** The Switchboard address as the official client's `endpoint`, `port` and `tls` options. */
export interface ClientEndpoint {
  endpoint: string;
  port: number;
  tls: boolean;
}

/** What the page reads at start (GET /api/config): where Switchboard is, how the banner behaves. */
export interface PageConfig {
  switchboard: ClientEndpoint;
  silentMs: number;
  pollMs: number;
}
