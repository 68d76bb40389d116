import { AnnotationAction, Errors, type Annotation } from '@switchboard/protocol';

/**
 * The aggregation of one annotation type on one message, as Ably's summarization methods define
 * it (`<namespace>:<method>.v1`; TM7, the annotations docs). Each method keeps just enough state
 * to answer its summary; annotations of an unknown method are kept raw and not summarized.
 */
interface Aggregate {
  apply(annotation: Annotation): void;
  summary(): unknown;
}

/** The summarization method of an annotation type (`reaction:distinct.v1` → `distinct.v1`). */
export function summarizationOf(type: string): string {
  const colon = type.lastIndexOf(':');
  return colon >= 0 ? type.slice(colon + 1) : type;
}

const isDelete = (a: Annotation): boolean => a.action === AnnotationAction.DELETE;

/** `{ total, clientIds, clipped }` for a set of clients (TM7c1). */
const clientList = (clients: Set<string>) => ({
  total: clients.size,
  clientIds: [...clients],
  clipped: false,
});

/** total.v1: counts annotations; a delete takes one off. Unidentified clients count too. */
function totalAggregate(): Aggregate {
  let total = 0;
  return {
    apply: (a) => void (total = isDelete(a) ? Math.max(0, total - 1) : total + 1),
    summary: () => ({ total }),
  };
}

/** flag.v1: the clients that flagged the message, each once per type. */
function flagAggregate(): Aggregate {
  const clients = new Set<string>();
  return {
    apply: (a) => void (isDelete(a) ? clients.delete(a.clientId!) : clients.add(a.clientId!)),
    summary: () => clientList(clients),
  };
}

/** distinct.v1: per name, the clients that used it, each once per name. */
function distinctAggregate(): Aggregate {
  const byName = new Map<string, Set<string>>();
  return {
    apply(a) {
      const name = a.name ?? '';
      let clients = byName.get(name);
      if (isDelete(a)) {
        clients?.delete(a.clientId!);
        if (clients?.size === 0) byName.delete(name);
        return;
      }
      if (!clients) byName.set(name, (clients = new Set()));
      clients.add(a.clientId!);
    },
    summary: () => Object.fromEntries([...byName].map(([name, c]) => [name, clientList(c)])),
  };
}

/** unique.v1: each client counts for one name at a time; a new name replaces its previous one. */
function uniqueAggregate(): Aggregate {
  const nameOf = new Map<string, string>();
  return {
    apply(a) {
      const client = a.clientId!;
      if (!isDelete(a)) {
        // Re-inserted so that the latest choice sorts last, as a fresh contribution.
        nameOf.delete(client);
        nameOf.set(client, a.name ?? '');
      } else if (a.name === undefined || nameOf.get(client) === a.name) nameOf.delete(client);
    },
    summary() {
      const byName = new Map<string, Set<string>>();
      for (const [client, name] of nameOf) {
        let clients = byName.get(name);
        if (!clients) byName.set(name, (clients = new Set()));
        clients.add(client);
      }
      return Object.fromEntries([...byName].map(([name, c]) => [name, clientList(c)]));
    },
  };
}

/** multiple.v1: per name, counts per client (default 1 each) plus those of unidentified clients. */
function multipleAggregate(): Aggregate {
  const byName = new Map<string, { clients: Map<string, number>; unidentified: number }>();
  return {
    apply(a) {
      const name = a.name ?? '';
      let entry = byName.get(name);
      if (isDelete(a)) {
        // A delete removes everything that client gave this name.
        if (!entry || a.clientId === undefined) return;
        entry.clients.delete(a.clientId);
        if (entry.clients.size === 0 && entry.unidentified === 0) byName.delete(name);
        return;
      }
      if (!entry) byName.set(name, (entry = { clients: new Map(), unidentified: 0 }));
      const count = a.count ?? 1;
      if (a.clientId === undefined) entry.unidentified += count;
      else entry.clients.set(a.clientId, (entry.clients.get(a.clientId) ?? 0) + count);
    },
    summary: () =>
      Object.fromEntries(
        [...byName].map(([name, { clients, unidentified }]) => {
          const identified = [...clients.values()].reduce((sum, n) => sum + n, 0);
          return [
            name,
            {
              total: identified + unidentified,
              clientIds: Object.fromEntries(clients),
              totalUnidentified: unidentified,
              clipped: false,
              totalClientIds: clients.size,
            },
          ];
        }),
      ),
  };
}

const AGGREGATES: Record<string, { make: () => Aggregate; identified: boolean }> = {
  'total.v1': { make: totalAggregate, identified: false },
  'flag.v1': { make: flagAggregate, identified: true },
  'distinct.v1': { make: distinctAggregate, identified: true },
  'unique.v1': { make: uniqueAggregate, identified: true },
  'multiple.v1': { make: multipleAggregate, identified: false },
};

/**
 * Checks an annotation against its summarization method before it is accepted: flag, distinct and
 * unique count clients, so they need an identified one (40012); a count is for multiple.v1 only.
 */
export function requireSummarizable(annotation: Annotation): void {
  const method = AGGREGATES[summarizationOf(annotation.type ?? '')];
  if (method?.identified && annotation.clientId === undefined)
    throw Errors.invalidClientId(
      `Annotations of type ${annotation.type} need an identified client`,
    );
  if (annotation.count !== undefined && annotation.count < 1)
    throw Errors.invalidParameter('An annotation count must be at least 1');
}

/** The summaries of one message's annotations, by type (TM8a). */
export interface MessageSummary {
  /** Applies one annotation; false when its type has no known summarization method. */
  apply(annotation: Annotation): boolean;
  /** `{ [type]: summary }` as `message.annotations.summary` carries it. */
  summary(): Record<string, unknown>;
}

/** Creates the empty summary of a message. */
export function createMessageSummary(): MessageSummary {
  const byType = new Map<string, Aggregate>();
  return {
    apply(annotation) {
      const type = annotation.type ?? '';
      let aggregate = byType.get(type);
      if (!aggregate) {
        const method = AGGREGATES[summarizationOf(type)];
        if (!method) return false;
        byType.set(type, (aggregate = method.make()));
      }
      aggregate.apply(annotation);
      return true;
    },
    summary: () => Object.fromEntries([...byType].map(([type, a]) => [type, a.summary()])),
  };
}
