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
  let state: ConnectionState = 'connected';
  return {
    get state() {
      return state;
    },
    transition(to, reason) {
      if (!CONNECTION_TRANSITIONS[state].includes(to)) return undefined;
      const change = { previous: state, current: to, reason };
      state = to;
      onChange?.(change);
      return change;
    },
  };
}
