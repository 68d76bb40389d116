/** Server-side connection states. */
export type ConnectionState = 'connected' | 'disconnected' | 'closed';

/** Which state may follow which: the only moves `transition` allows. */
export const CONNECTION_TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  connected: ['connected', 'disconnected', 'closed'],
  disconnected: ['connected', 'closed'],
  closed: [],
};

/** A state change with its cause. */
export interface StateChange {
  previous: ConnectionState;
  current: ConnectionState;
  reason: string;
}

/** Holds a connection's state; `transition` is the only way to change it. */
export interface StateMachine {
  readonly state: ConnectionState;
  transition(to: ConnectionState, reason: string): StateChange | undefined;
}

/** Creates a state machine starting in `connected`. */
export function createStateMachine(onChange?: (change: StateChange) => void): StateMachine {
  // A plain data property, not a getter: an object literal with an accessor is created in
  // dictionary mode, which costs ~250 bytes more per connection.
  const machine: { state: ConnectionState } & Pick<StateMachine, 'transition'> = {
    state: 'connected',
    transition(to, reason) {
      const state = machine.state;
      if (!CONNECTION_TRANSITIONS[state].includes(to)) return undefined;
      const change = { previous: state, current: to, reason };
      machine.state = to;
      onChange?.(change);
      return change;
    },
  };
  return machine;
}
