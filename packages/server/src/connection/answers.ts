import { Action, type ProtocolMessage } from '@switchboard/protocol';
import { flushAcksAfterCommit, type Answer, type Session } from '../session/session.js';

export type { Answer };

/** Answers remembered per connection, so a resend gets the answer its first copy got. */
const ANSWER_MEMORY = 256;

function remember(session: Session, msgSerial: number, answer: Answer | undefined): void {
  session.results.set(msgSerial, answer);
  if (session.results.size > ANSWER_MEMORY) {
    const oldest = session.results.keys().next().value;
    if (oldest !== undefined) session.results.delete(oldest);
  }
}

/**
 * Sends an answer. ACKs are coalesced; those that waited for a commit leave as soon as the commit's
 * answers are all given, as the commit already ran after the turn's reads.
 */
function send(session: Session, msgSerial: number, answer: Answer, waited = false): void {
  if ('error' in answer) {
    session.metrics.countNack(answer.error.code);
    session.send({ action: Action.NACK, msgSerial, count: 1, error: answer.error.toJSON() });
    return;
  }
  const pm: ProtocolMessage = { action: Action.ACK, msgSerial, count: 1 };
  if (answer.result) pm.res = [answer.result];
  session.queueAck(pm);
  if (waited) flushAcksAfterCommit();
}

/**
 * Answers one ProtocolMessage. An answer that waits for a commit (a persisted channel) holds back
 * the connection's later answers, so ACKs and NACKs always leave in msgSerial order, whichever
 * channel each publish went to.
 */
export function answer(
  session: Session,
  msgSerial: number,
  outcome: Answer | Promise<Answer>,
): void {
  session.lastMsgSerial = Math.max(session.lastMsgSerial, msgSerial);
  if (!(outcome instanceof Promise) && !session.answersDue) {
    remember(session, msgSerial, outcome);
    send(session, msgSerial, outcome);
    return;
  }
  remember(session, msgSerial, undefined);
  const due = (session.answersDue ?? Promise.resolve())
    .then(() => outcome)
    .then((settled) => {
      remember(session, msgSerial, settled);
      send(session, msgSerial, settled, true);
    });
  session.answersDue = due;
  void due.finally(() => {
    if (session.answersDue === due) session.answersDue = undefined;
  });
}

/**
 * A resend of something already received (same msgSerial after a resume, RTN19a) gets the answer
 * its first copy got, or will get once stored, and is not applied twice. Returns true when handled.
 */
export function handledAsResend(session: Session, msgSerial: number): boolean {
  if (msgSerial > session.lastMsgSerial) return false;
  const replay = (): void => {
    const known = session.results.get(msgSerial);
    // Forgotten long ago: it was answered then, and an ACK is what a client still waiting needs.
    send(session, msgSerial, known ?? { result: null });
  };
  if (session.answersDue) session.answersDue = session.answersDue.then(replay);
  else replay();
  return true;
}
