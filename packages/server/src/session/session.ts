import {
  Errors,
  type ErrorInfo,
  type ProtocolMessage,
  type PublishResult,
} from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import type { Channel, Subscriber } from '../channels/channel.js';
import type { MessageFilter } from '../channels/message-filter.js';
import {
  createOutboundFrame,
  type OutboundFrame,
  type WireFormat,
} from '../channels/outbound-frame.js';
import { randomId } from '../ids.js';
import type { Limits } from '../limits.js';
import type { Clock, TimerHandle } from '../ports/clock.js';
import { createStateMachine, type StateMachine } from './connection-state.js';
import type { Transport } from './transport.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import type { DeltaEncoder } from '../delta/delta-frames.js';

/** How a MESSAGE or PRESENCE from a client was answered: ACK (with serials) or NACK. */
export type Answer = { result: PublishResult | null } | { error: ErrorInfo };

/** A run of consecutive msgSerials NACKed with the same error. */
export interface RefusedRun {
  from: number;
  to: number;
  error: ErrorInfo;
}

/** One channel attached by one connection: the channel's view of it is `Subscriber`. */
export interface Attachment extends Subscriber {
  readonly channel: Channel;
  /** Modes the client asked for; what it may do is these, narrowed by its current capability. */
  requested: number;
  modes: number;
  live: boolean;
  liveFromSeq: number;
  /** The earliest position this attachment was entitled to: a resume from it or later replays all. */
  entitledFromSeq: number;
  /** Set while an ATTACH waits for its backlog from the store; a later ATTACH or DETACH replaces it. */
  pendingAttach: object | undefined;
  /** Present when the client asked for `delta: 'vcdiff'`: messages go out as deltas. */
  delta: DeltaEncoder | undefined;
}

/** Per-connection options read from the connect URL. */
export interface SessionOptions {
  format: WireFormat;
  echo: boolean;
  heartbeats: boolean;
  /** Presence grace after a drop, from `remainPresentFor` (ms). */
  remainPresentForMs?: number;
}

/** A realtime connection: survives transport drops until resumed or discarded. */
export interface Session {
  readonly id: string;
  readonly key: string;
  /**
   * The key the client last resumed with, still accepted besides `key`: the CONNECTED that
   * carried `key` may have been lost with its socket, and the client then resumes with this one.
   */
  readonly knownKey: string | undefined;
  readonly options: SessionOptions;
  readonly machine: StateMachine;
  auth: AuthContext;
  transport: Transport | undefined;
  readonly attachments: Map<string, Attachment>;
  /**
   * Channels where this connection entered presence, attached or not: its members leave with it
   * whichever way they entered (a raw client may enter without attaching).
   */
  readonly presenceChannels: Set<Channel>;
  /**
   * The node this connection was resumed from (RTN15c6 across nodes): the members its client
   * re-enters are taken over from that node rather than taken for repeats.
   */
  adoptedFrom: string | undefined;
  /** Highest msgSerial processed: resends at or below it are re-ACKed, not re-applied. */
  lastMsgSerial: number;
  /** Answers given (or, while undefined, still due) per msgSerial, for resends (RTN19a). */
  readonly results: Map<number, Answer | undefined>;
  /**
   * NACKs kept as runs for longer than `results` keeps answers: a resend whose answer was
   * forgotten must not be ACKed if its first copy was refused, and NACKs come in long runs (a
   * publisher over maxInboundRate) that a few runs describe.
   */
  readonly refused: RefusedRun[];
  /** The newest run dropped from `refused`: resends at or below it may have been refused. */
  refusedForgotten: RefusedRun | undefined;
  /** Where this connection's NACKs are counted. */
  readonly metrics: EngineMetrics;
  /** The last answer still waiting for a commit: later answers queue behind it. */
  answersDue: Promise<void> | undefined;
  lastSentAt: number;
  /** Something was sent since the keep-alive last looked (cheaper than a clock read per send). */
  sent: boolean;
  inbound: { windowStart: number; count: number };
  /** Messages published on this connection and delivered to it (connection stats). */
  messagesIn: number;
  messagesOut: number;
  /** When a limit this connection hit was last logged, and how many since were not. */
  limitLog: { at: number; suppressed: number };
  /** Token bucket for ATTACH and SYNC, whose replies can be large (see control-budget). */
  controlBudget: { tokens: number; at: number };
  timers: Partial<Record<'expiry' | 'renew' | 'presenceGrace' | 'discard', TimerHandle>>;
  /**
   * Replaces the resume key (every CONNECTED carries a fresh one); `presented` is the key the
   * client resumed with, which stays valid until it resumes with a newer one.
   */
  rotateKey(presented?: string): string;
  send(pm: ProtocolMessage): void;
  /** ACKs of consecutive msgSerials in one turn leave as one ACK with count n (protocol 5.4). */
  queueAck(pm: ProtocolMessage): void;
  sendFrame(frame: OutboundFrame): void;
  /** Sends an error-carrying frame (DISCONNECTED or ERROR) and closes the transport. */
  endTransport(action: number, error: ErrorInfo): void;
  cancelTimer(name: keyof Session['timers']): void;
}

const ackQueue: (() => void)[] = [];
function runAckFlushes(): void {
  for (let i = 0; i < ackQueue.length; i++) ackQueue[i]!();
  ackQueue.length = 0;
}

let ackFlushTicked = false;
/**
 * Sends the queued ACKs once the current promise chains are done rather than a loop iteration
 * later: for ACKs given from a commit, which already runs after the turn's reads.
 */
export function flushAcksAfterCommit(): void {
  if (ackFlushTicked) return;
  ackFlushTicked = true;
  process.nextTick(() => {
    ackFlushTicked = false;
    runAckFlushes();
  });
}

/** Creates a session in the connected state on a transport. */
export function createSession(
  ctx: { limits: Limits; clock: Clock; metrics: EngineMetrics },
  transport: Transport,
  auth: AuthContext,
  options: SessionOptions,
  onSlowConsumer: (session: Session) => void,
  /** The id of a connection resumed from another node. */
  resumedId?: string,
): Session {
  const id = resumedId ?? randomId(8);
  let key = `${id}!${randomId(12)}`;
  let pendingAck: ProtocolMessage | undefined;
  const flushAck = (): void => {
    const p = pendingAck;
    if (!p) return;
    pendingAck = undefined;
    session.sendFrame(createOutboundFrame(p));
  };
  const session: Session = {
    id,
    key, // a data property: a getter here would put every session object in dictionary mode
    knownKey: undefined,
    options,
    machine: createStateMachine(),
    auth,
    transport,
    attachments: new Map(),
    presenceChannels: new Set(),
    adoptedFrom: undefined,
    lastMsgSerial: -1,
    results: new Map(),
    refused: [],
    refusedForgotten: undefined,
    metrics: ctx.metrics,
    answersDue: undefined,
    lastSentAt: ctx.clock.now(),
    sent: false,
    inbound: { windowStart: 0, count: 0 },
    messagesIn: 0,
    messagesOut: 0,
    limitLog: { at: Number.NEGATIVE_INFINITY, suppressed: 0 },
    controlBudget: { tokens: ctx.limits.maxControlBurst, at: ctx.clock.now() },
    timers: {},
    rotateKey(presented) {
      (session as { knownKey: string | undefined }).knownKey = presented;
      key = `${id}!${randomId(12)}`;
      (session as { key: string }).key = key;
      return key;
    },
    send(pm) {
      session.sendFrame(createOutboundFrame(pm));
    },
    queueAck(pm) {
      const p = pendingAck;
      if (
        p &&
        p.msgSerial! + p.count! === pm.msgSerial &&
        (p.res === undefined) === (pm.res === undefined)
      ) {
        p.count! += pm.count ?? 1;
        if (pm.res) p.res!.push(...pm.res);
        return;
      }
      if (p) flushAck();
      pendingAck = { ...pm, ...(pm.res ? { res: [...pm.res] } : {}) };
      if (ackQueue.length === 0) setImmediate(runAckFlushes);
      ackQueue.push(flushAck);
    },
    sendFrame(frame) {
      if (pendingAck) flushAck(); // anything else to this connection goes after its ACKs
      const t = session.transport;
      if (!t) return;
      if (t.bufferedBytes() > ctx.limits.maxOutboundBufferBytes) {
        onSlowConsumer(session);
        return;
      }
      t.send(frame.bytes(t.format));
      session.sent = true;
      // Only MESSAGE frames carry `messages`; a property read and an add per frame.
      const delivered = frame.pm.messages?.length;
      if (delivered) session.messagesOut += delivered;
    },
    endTransport(action, error) {
      const t = session.transport;
      if (!t) return;
      t.send(createOutboundFrame({ action, error: error.toJSON() }).bytes(t.format));
      t.close();
    },
    cancelTimer(name) {
      session.timers[name]?.cancel();
      delete session.timers[name];
    },
  };
  return session;
}

/** Creates the attachment of a session to a channel. */
export function createAttachment(
  session: Session,
  channel: Channel,
  requested: number,
  clientName = channel.name,
  filter?: MessageFilter,
): Attachment {
  // A client that attached by a qualified name (`[?rewind=1]room`) knows the channel by that name;
  // a derived channel (`[filter=…]room`) gets only the messages its filter admits.
  const deliver = (frame: OutboundFrame): void =>
    session.sendFrame(attachment.delta ? attachment.delta.encode(frame) : frame);
  const send =
    clientName === channel.name && !filter
      ? deliver
      : (frame: OutboundFrame) => {
          const { messages } = frame.pm;
          if (!filter || !messages)
            return deliver(createOutboundFrame({ ...frame.pm, channel: clientName }));
          const admitted = messages.filter(filter);
          if (admitted.length > 0)
            deliver(createOutboundFrame({ ...frame.pm, channel: clientName, messages: admitted }));
        };
  const attachment: Attachment = {
    channel,
    requested,
    modes: requested,
    live: false,
    liveFromSeq: 0,
    entitledFromSeq: Number.MAX_SAFE_INTEGER,
    pendingAttach: undefined,
    connectionId: session.id,
    echo: session.options.echo,
    delta: undefined,
    send,
  };
  return attachment;
}

/** The error DISCONNECTED carries when a consumer falls too far behind. */
export function slowConsumerError(ctx: { limits: Limits }): ErrorInfo {
  return Errors.outboundQueueOverflow(ctx.limits.maxOutboundBufferBytes);
}
