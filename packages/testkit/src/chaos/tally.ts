/** What one subscriber saw, checked against the set of ACKed messages. */
export interface SubscriberReport {
  name: string;
  format: 'msgpack' | 'json';
  delivered: number;
  /** ACKed ids never delivered: silent loss unless a discontinuity was reported. */
  missing: number;
  /** Ids delivered more than once. */
  duplicated: number;
  /** Deliveries whose sequence number went back within one publisher's stream. */
  outOfOrder: number;
  /** Delivered ids whose publish was NACKed: the server refused them yet sent them on. */
  deliveredNacked: number;
  /** Times the channel re-attached with `resumed: false` (a reported gap, not silent). */
  discontinuities: number;
  /** A few missing ids, to start an investigation from. */
  missingSample: string[];
  /** A few ids delivered after a later one of the same publisher, and NACKed ids delivered. */
  outOfOrderSample: string[];
  deliveredNackedSample: string[];
}

/** Publishes of one kind of publisher, by outcome. */
export interface PublishCounts {
  attempted: number;
  acked: number;
  /** NACKs and other failures, by error code (`connection` when the client gave up). */
  failed: Record<string, number>;
}

/** The publisher's id and sequence number are in the message id: `<publisher>:<seq>`. */
export function messageId(publisher: string, seq: number): string {
  return `${publisher}:${seq}`;
}

function parseId(id: string): { publisher: string; seq: number } | undefined {
  const at = id.lastIndexOf(':');
  if (at < 0) return undefined;
  return { publisher: id.slice(0, at), seq: Number(id.slice(at + 1)) };
}

/** Records publish outcomes. */
export interface PublishLedger {
  acked: Set<string>;
  nacked: Set<string>;
  counts: Map<string, PublishCounts>;
  attempt(kind: string): void;
  ack(kind: string, id: string): void;
  fail(kind: string, id: string, code: string, refused: boolean): void;
}

/** A ledger of every publish's outcome, by publisher kind. */
export function createPublishLedger(): PublishLedger {
  const counts = new Map<string, PublishCounts>();
  const of = (kind: string): PublishCounts => {
    let c = counts.get(kind);
    if (!c) counts.set(kind, (c = { attempted: 0, acked: 0, failed: {} }));
    return c;
  };
  const ledger: PublishLedger = {
    acked: new Set(),
    nacked: new Set(),
    counts,
    attempt: (kind) => void of(kind).attempted++,
    ack(kind, id) {
      of(kind).acked++;
      ledger.acked.add(id);
    },
    fail(kind, id, code, refused) {
      const c = of(kind);
      c.failed[code] = (c.failed[code] ?? 0) + 1;
      // Only a NACK is a statement that the message was not taken; a timeout is no statement.
      if (refused) ledger.nacked.add(id);
    },
  };
  return ledger;
}

/** What a subscriber records as messages arrive. */
export interface Delivery {
  ids: string[];
  discontinuities: number;
}

/** Compares one subscriber's deliveries with the ledger. */
export function checkSubscriber(
  name: string,
  format: 'msgpack' | 'json',
  delivery: Delivery,
  ledger: PublishLedger,
): SubscriberReport {
  const seen = new Set<string>();
  const lastSeq = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let deliveredNacked = 0;
  const outOfOrderSample: string[] = [];
  const deliveredNackedSample: string[] = [];
  for (const id of delivery.ids) {
    if (seen.has(id)) {
      duplicated++;
      continue;
    }
    seen.add(id);
    if (ledger.nacked.has(id) && deliveredNacked++ < 5) deliveredNackedSample.push(id);
    const parsed = parseId(id);
    if (!parsed) continue;
    const last = lastSeq.get(parsed.publisher);
    if (last !== undefined && parsed.seq < last) {
      if (outOfOrder++ < 5) outOfOrderSample.push(`${id} after :${last}`);
    } else lastSeq.set(parsed.publisher, parsed.seq);
  }
  const missing = [...ledger.acked].filter((id) => !seen.has(id));
  return {
    name,
    format,
    delivered: seen.size,
    missing: missing.length,
    duplicated,
    outOfOrder,
    deliveredNacked,
    discontinuities: delivery.discontinuities,
    missingSample: missing.slice(0, 5),
    outOfOrderSample,
    deliveredNackedSample,
  };
}
