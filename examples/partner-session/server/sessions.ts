import { randomUUID } from 'node:crypto';
import {
  PartnerEvents,
  STAGES,
  type Progress,
  type SessionEvent,
  type SessionState,
} from './contract.js';
import { HttpError } from './http-kit.js';

export type { SessionEvent, SessionState };

/** Sessions kept in memory: the authoritative state the page falls back to. */
export interface SessionStore {
  get(sessionId: string): SessionState | undefined;
  /** The session, if `userId` takes part in it; 404 or 403 otherwise. */
  forParticipant(sessionId: string, userId: string): SessionState;
  partnerOf(state: SessionState, userId: string): string;
  signCompact(sessionId: string, userId: string): SessionEvent;
  completeStage(sessionId: string, userId: string, stage: number): SessionEvent;
}

/** Creates the store with its sessions, each between two participants. */
export function createSessionStore(
  sessions: { id: string; participants: [string, string] }[],
): SessionStore {
  const states = new Map<string, SessionState>();
  for (const s of sessions) {
    const progress: Record<string, Progress> = {};
    for (const p of s.participants) progress[p] = { compactSignedAt: null, completedStages: [] };
    states.set(s.id, { id: s.id, participants: s.participants, progress, events: [] });
  }

  function forParticipant(sessionId: string, userId: string): SessionState {
    const state = states.get(sessionId);
    if (!state) throw new HttpError(404, `no session ${sessionId}`);
    if (!state.participants.includes(userId))
      throw new HttpError(403, `${userId} is not in session ${sessionId}`);
    return state;
  }

  function record(state: SessionState, event: Omit<SessionEvent, 'id' | 'at'>): SessionEvent {
    const full: SessionEvent = { id: randomUUID(), at: new Date().toISOString(), ...event };
    state.events.push(full);
    return full;
  }

  return {
    get: (id) => states.get(id),
    forParticipant,
    partnerOf: (state, userId) => state.participants.find((p) => p !== userId)!,
    signCompact(sessionId, userId) {
      const state = forParticipant(sessionId, userId);
      const mine = state.progress[userId]!;
      if (mine.compactSignedAt) throw new HttpError(409, 'the compact is already signed');
      mine.compactSignedAt = new Date().toISOString();
      return record(state, { name: PartnerEvents.signedCompact, by: userId });
    },
    completeStage(sessionId, userId, stage) {
      const state = forParticipant(sessionId, userId);
      const mine = state.progress[userId]!;
      if (!mine.compactSignedAt) throw new HttpError(409, 'sign the compact first');
      const next = mine.completedStages.length + 1;
      if (!Number.isInteger(stage) || stage < 1 || stage > STAGES.length)
        throw new HttpError(400, `stage must be 1 to ${STAGES.length}`);
      if (stage !== next) throw new HttpError(409, `the next stage to complete is ${next}`);
      mine.completedStages.push(stage);
      return record(state, { name: PartnerEvents.stageCompleted, by: userId, stage });
    },
  };
}
