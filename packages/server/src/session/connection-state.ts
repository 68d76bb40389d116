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

/** One state machine per connection: `transition` on the prototype, not a closure per machine. */
class ConnectionStateMachine implements StateMachine {
  state: ConnectionState = 'connected';
  constructor(private readonly onChange: ((change: StateChange) => void) | undefined) {}

  transition(to: ConnectionState, reason: string): StateChange | undefined {
    const state = this.state;
    if (!CONNECTION_TRANSITIONS[state].includes(to)) return undefined;
    const change = { previous: state, current: to, reason };
    this.state = to;
    this.onChange?.(change);
    return change;
  }
}

/** Creates a state machine starting in `connected`. */
export function createStateMachine(onChange?: (change: StateChange) => void): StateMachine {
  return new ConnectionStateMachine(onChange);
}
