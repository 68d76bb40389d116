import {
  Errors,
  type ErrorInfo,
  type ProtocolMessage,
  type PublishResult,
} from '@switchboard/protocol';
import type { AuthContext } from '../auth/authenticate.js';
import type { Channel } from '../channels/channel.js';
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
import type { Attachment } from './attachment.js';

/** How a MESSAGE or PRESENCE from a client was answered: ACK (with serials) or NACK. */
export type Answer = { result: PublishResult | null } | { error: ErrorInfo };

/** A run of consecutive msgSerials NACKed with the same error. */
export interface RefusedRun {
  from: number;
  to: number;
  error: ErrorInfo;
}

/** Per-connection options read from the connect URL. */
export interface SessionOptions {
  format: WireFormat;
  echo: boolean;
  heartbeats: boolean;
  /** Presence grace after a drop, from `remainPresentFor` (ms). */
  remainPresentForMs?: number;
}

/** The timers a session may hold, each armed at most once at a time. */
export type SessionTimer = 'expiry' | 'renew' | 'presenceGrace' | 'discard';

/**
 * A realtime connection: survives transport drops until resumed or discarded.
 *
 * Most connections sit idle and attached, so what each costs at rest matters (bench (iv)): the
 * behaviour lives on the prototype of one class, not in closures per session, and collections
 * that only some connections use (resend answers, refusals, presence channels, timers) are
 * created on first use.
 */
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
   * whichever way they entered (a raw client may enter without attaching). Created on first entry.
   */
  presenceChannels: Set<Channel> | undefined;
  /**
   * The node this connection was resumed from (RTN15c6 across nodes): the members its client
   * re-enters are taken over from that node rather than taken for repeats.
   */
  adoptedFrom: string | undefined;
  /** Highest msgSerial processed: resends at or below it are re-ACKed, not re-applied. */
  lastMsgSerial: number;
  /**
   * Answers given (or, while undefined, still due) per msgSerial, for resends (RTN19a). Created
   * with the first answer.
   */
  results: Map<number, Answer | undefined> | undefined;
  /**
   * NACKs kept as runs for longer than `results` keeps answers: a resend whose answer was
   * forgotten must not be ACKed if its first copy was refused, and NACKs come in long runs (a
   * publisher over maxInboundRate) that a few runs describe. Created with the first NACK.
   */
  refused: RefusedRun[] | undefined;
  /** The newest run dropped from `refused`: resends at or below it may have been refused. */
  refusedForgotten: RefusedRun | undefined;
  /** Where this connection's NACKs are counted. */
  readonly metrics: EngineMetrics;
  /** The last answer still waiting for a commit: later answers queue behind it. */
  answersDue: Promise<void> | undefined;
  lastSentAt: number;
  /** Something was sent since the keep-alive last looked (cheaper than a clock read per send). */
  sent: boolean;
  /** The maxInboundRate window: when it started and how many messages it has counted. */
  inboundWindowStart: number;
  inboundCount: number;
  /** Messages published on this connection and delivered to it (connection stats). */
  messagesIn: number;
  messagesOut: number;
  /** When a limit this connection hit was last logged, and how many since were not. */
  limitLoggedAt: number;
  limitsSuppressed: number;
  /** Token bucket for ATTACH and SYNC, whose replies can be large (see control-budget). */
  controlTokens: number;
  controlRefilledAt: number;
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
  /** Arms a timer, cancelling the one of that name if it was armed. */
  setTimer(name: SessionTimer, handle: TimerHandle): void;
  cancelTimer(name: SessionTimer): void;
  cancelTimers(): void;
}

/** What every session of an engine shares: limits, clock, metrics, the slow-consumer policy. */
export interface SessionContext {
  limits: Limits;
  clock: Clock;
  metrics: EngineMetrics;
  /** Called when a connection's transport holds more than maxOutboundBufferBytes. */
  onSlowConsumer(session: Session): void;
}

/** Sessions with ACKs queued this turn: each sends its coalesced ACK once the turn is done. */
const ackQueue: ConnectionSession[] = [];
function runAckFlushes(): void {
  for (let i = 0; i < ackQueue.length; i++) ackQueue[i]!.flushAck();
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

type Timers = Partial<Record<SessionTimer, TimerHandle>>;

class ConnectionSession implements Session {
  readonly id: string;
  key: string;
  knownKey: string | undefined = undefined;
  readonly machine: StateMachine = createStateMachine();
  readonly attachments = new Map<string, Attachment>();
  presenceChannels: Set<Channel> | undefined = undefined;
  adoptedFrom: string | undefined = undefined;
  lastMsgSerial = -1;
  results: Map<number, Answer | undefined> | undefined = undefined;
  refused: RefusedRun[] | undefined = undefined;
  refusedForgotten: RefusedRun | undefined = undefined;
  readonly metrics: EngineMetrics;
  answersDue: Promise<void> | undefined = undefined;
  lastSentAt: number;
  sent = false;
  inboundWindowStart = 0;
  inboundCount = 0;
  messagesIn = 0;
  messagesOut = 0;
  limitLoggedAt = Number.NEGATIVE_INFINITY;
  limitsSuppressed = 0;
  controlTokens: number;
  controlRefilledAt: number;
  /** An ACK waiting for the end of the turn, to be merged with the next consecutive ones. */
  private pendingAck: ProtocolMessage | undefined = undefined;
  private timers: Timers | undefined = undefined;

  constructor(
    private readonly ctx: SessionContext,
    public transport: Transport | undefined,
    public auth: AuthContext,
    readonly options: SessionOptions,
    id: string,
  ) {
    this.id = id;
    this.key = `${id}!${randomId(12)}`;
    this.metrics = ctx.metrics;
    const now = ctx.clock.now();
    this.lastSentAt = now;
    this.controlTokens = ctx.limits.maxControlBurst;
    this.controlRefilledAt = now;
  }

  rotateKey(presented?: string): string {
    this.knownKey = presented;
    this.key = `${this.id}!${randomId(12)}`;
    return this.key;
  }

  send(pm: ProtocolMessage): void {
    this.sendFrame(createOutboundFrame(pm));
  }

  queueAck(pm: ProtocolMessage): void {
    const p = this.pendingAck;
    if (
      p &&
      p.msgSerial! + p.count! === pm.msgSerial &&
      (p.res === undefined) === (pm.res === undefined)
    ) {
      p.count! += pm.count ?? 1;
      if (pm.res) p.res!.push(...pm.res);
      return;
    }
    if (p) this.flushAck();
    this.pendingAck = { ...pm, ...(pm.res ? { res: [...pm.res] } : {}) };
    if (ackQueue.length === 0) setImmediate(runAckFlushes);
    ackQueue.push(this);
  }

  flushAck(): void {
    const p = this.pendingAck;
    if (!p) return;
    this.pendingAck = undefined;
    this.sendFrame(createOutboundFrame(p));
  }

  sendFrame(frame: OutboundFrame): void {
    if (this.pendingAck) this.flushAck(); // anything else to this connection goes after its ACKs
    const t = this.transport;
    if (!t) return;
    if (t.bufferedBytes() > this.ctx.limits.maxOutboundBufferBytes) {
      this.ctx.onSlowConsumer(this);
      return;
    }
    t.send(frame.bytes(t.format));
    this.sent = true;
    // Only MESSAGE frames carry `messages`; a property read and an add per frame.
    const delivered = frame.pm.messages?.length;
    if (delivered) this.messagesOut += delivered;
  }

  endTransport(action: number, error: ErrorInfo): void {
    const t = this.transport;
    if (!t) return;
    t.send(createOutboundFrame({ action, error: error.toJSON() }).bytes(t.format));
    t.close();
  }

  setTimer(name: SessionTimer, handle: TimerHandle): void {
    const timers = (this.timers ??= {});
    timers[name]?.cancel();
    timers[name] = handle;
  }

  cancelTimer(name: SessionTimer): void {
    const timers = this.timers;
    if (!timers) return;
    timers[name]?.cancel();
    delete timers[name];
  }

  cancelTimers(): void {
    const timers = this.timers;
    if (!timers) return;
    for (const name of Object.keys(timers) as SessionTimer[]) timers[name]?.cancel();
    this.timers = undefined;
  }
}

/** Creates a session in the connected state on a transport. */
export function createSession(
  ctx: SessionContext,
  transport: Transport,
  auth: AuthContext,
  options: SessionOptions,
  /** The id of a connection resumed from another node. */
  resumedId?: string,
): Session {
  return new ConnectionSession(ctx, transport, auth, options, resumedId ?? randomId(8));
}

/** The error DISCONNECTED carries when a consumer falls too far behind. */
export function slowConsumerError(ctx: { limits: Limits }): ErrorInfo {
  return Errors.outboundQueueOverflow(ctx.limits.maxOutboundBufferBytes);
}
