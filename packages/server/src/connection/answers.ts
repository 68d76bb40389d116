import { Action, type ErrorInfo, type ProtocolMessage } from '@switchboard/protocol';
import { flushAcksAfterCommit, type Answer, type Session } from '../session/session.js';

export type { Answer };

/** Answers remembered per connection, so a resend gets the answer its first copy got. */
const ANSWER_MEMORY = 256;
/** NACK runs remembered per connection after their full answers are forgotten. */
const REFUSAL_MEMORY = 1024;

function rememberRefusal(session: Session, msgSerial: number, error: ErrorInfo): void {
  const runs = (session.refused ??= []);
  const last = runs.at(-1);
  // Answers are remembered in msgSerial order, so a refusal extends the last run or starts one.
  if (last && last.to === msgSerial - 1 && last.error.code === error.code) last.to = msgSerial;
  else runs.push({ from: msgSerial, to: msgSerial, error });
  if (runs.length > REFUSAL_MEMORY) session.refusedForgotten = runs.shift();
}

/**
 * The answer for a resend whose full answer was forgotten: a NACK if it is in a remembered
 * refusal run, or older than the runs still remembered (it may have been refused: a false NACK of
 * a message with an id is safe to retry, a false ACK is a lost message); otherwise it was ACKed.
 */
function forgottenAnswer(session: Session, msgSerial: number): Answer {
  const runs = session.refused ?? [];
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i]!;
    if (msgSerial > run.to) break;
    if (msgSerial >= run.from) return { error: run.error };
  }
  const dropped = session.refusedForgotten;
  if (dropped && msgSerial <= dropped.to) return { error: dropped.error };
  return { result: null };
}

function remember(session: Session, msgSerial: number, answer: Answer | undefined): void {
  if (answer && 'error' in answer) rememberRefusal(session, msgSerial, answer.error);
  const results = (session.results ??= new Map());
  results.set(msgSerial, answer);
  if (results.size > ANSWER_MEMORY) {
    const oldest = results.keys().next().value;
    if (oldest !== undefined) results.delete(oldest);
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
    const known = session.results?.get(msgSerial);
    // Forgotten: a client still waiting after hundreds of later answers (a long black hole on a
    // fast publisher) must still hear a NACK if its first copy was refused, never a false ACK.
    send(session, msgSerial, known ?? forgottenAnswer(session, msgSerial));
  };
  if (session.answersDue) session.answersDue = session.answersDue.then(replay);
  else replay();
  return true;
}
