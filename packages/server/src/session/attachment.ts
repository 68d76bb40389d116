import type { Channel, Subscriber } from '../channels/channel.js';
import type { MessageFilter } from '../channels/message-filter.js';
import { createOutboundFrame, type OutboundFrame } from '../channels/outbound-frame.js';
import type { DeltaEncoder } from '../delta/delta-frames.js';

/** What an attachment needs of its connection's session: who it is and where its frames go. */
export interface AttachedSession {
  readonly id: string;
  readonly options: { readonly echo: boolean };
  sendFrame(frame: OutboundFrame): void;
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

/**
 * An attachment by the channel's own name and without a filter: what fan-out calls per
 * subscriber per frame, so `send` is a prototype method, not a closure per attachment.
 */
class ChannelAttachment implements Attachment {
  modes: number;
  live = false;
  liveFromSeq = 0;
  entitledFromSeq = Number.MAX_SAFE_INTEGER;
  pendingAttach: object | undefined = undefined;
  delta: DeltaEncoder | undefined = undefined;
  readonly connectionId: string;
  readonly echo: boolean;

  constructor(
    protected readonly session: AttachedSession,
    readonly channel: Channel,
    public requested: number,
  ) {
    this.modes = requested;
    this.connectionId = session.id;
    this.echo = session.options.echo;
  }

  send(frame: OutboundFrame): void {
    this.session.sendFrame(this.delta ? this.delta.encode(frame) : frame);
  }
}

/**
 * A client that attached by a qualified name (`[?rewind=1]room`) knows the channel by that name;
 * a derived channel (`[filter=…]room`) gets only the messages its filter admits.
 */
class RenamedAttachment extends ChannelAttachment {
  constructor(
    session: AttachedSession,
    channel: Channel,
    requested: number,
    private readonly clientName: string,
    private readonly filter: MessageFilter | undefined,
  ) {
    super(session, channel, requested);
  }

  override send(frame: OutboundFrame): void {
    const { messages } = frame.pm;
    const filter = this.filter;
    if (!filter || !messages) {
      super.send(createOutboundFrame({ ...frame.pm, channel: this.clientName }));
      return;
    }
    const admitted = messages.filter(filter);
    if (admitted.length > 0)
      super.send(
        createOutboundFrame({ ...frame.pm, channel: this.clientName, messages: admitted }),
      );
  }
}

/** Creates the attachment of a session to a channel. */
export function createAttachment(
  session: AttachedSession,
  channel: Channel,
  requested: number,
  clientName = channel.name,
  filter?: MessageFilter,
): Attachment {
  return clientName === channel.name && !filter
    ? new ChannelAttachment(session, channel, requested)
    : new RenamedAttachment(session, channel, requested, clientName, filter);
}
