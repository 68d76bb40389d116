import { PresenceAction, type PresenceMessage } from '@switchboard/protocol';

/** The members present on one channel, keyed by (clientId, connectionId) as in spec RTP2. */
export interface PresenceSet {
  /** Current members, as PRESENT entries for SYNC and REST. */
  members(): PresenceMessage[];
  size(): number;
  has(clientId: string, connectionId: string): boolean;

  /**
   * Applies an ENTER/UPDATE/LEAVE from a connection and returns the event to broadcast, or
   * undefined when nothing changes for other clients (a re-enter with the member's own id,
   * RTP17g, or a LEAVE of someone not present, RTP10d).
   */
  apply(
    event: PresenceMessage & { clientId: string; connectionId: string },
  ): PresenceMessage | undefined;
  /** Removes every member of a connection, returning LEAVE events to broadcast. */
  removeConnection(
    connectionId: string,
    leave: (member: PresenceMessage) => PresenceMessage,
  ): PresenceMessage[];
}

const memberKey = (clientId: string, connectionId: string): string =>
  `${clientId}\n${connectionId}`;

/** Creates an empty presence set. */
export function createPresenceSet(): PresenceSet {
  const members = new Map<string, PresenceMessage>();
  return {
    members: () => [...members.values()].map((m) => ({ ...m, action: PresenceAction.PRESENT })),
    size: () => members.size,
    has: (clientId, connectionId) => members.has(memberKey(clientId, connectionId)),

    apply(event) {
      const key = memberKey(event.clientId, event.connectionId);
      const existing = members.get(key);
      if (event.action === PresenceAction.LEAVE) {
        if (!existing) return undefined;
        members.delete(key);
        return event;
      }
      if (existing && event.id !== undefined && existing.id === event.id) return undefined;
      members.set(key, event);
      if (existing && event.action === PresenceAction.ENTER)
        return { ...event, action: PresenceAction.UPDATE };
      if (!existing && event.action === PresenceAction.UPDATE)
        return { ...event, action: PresenceAction.ENTER };
      return event;
    },
    removeConnection(connectionId, leave) {
      const leaves: PresenceMessage[] = [];
      for (const [key, m] of members) {
        if (m.connectionId === connectionId) {
          members.delete(key);
          leaves.push(leave(m));
        }
      }
      return leaves;
    },
  };
}
