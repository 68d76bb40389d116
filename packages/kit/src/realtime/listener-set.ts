import type { Unsubscribe } from './types.js';

/** A set of listeners; `add` returns the remover; one throwing listener does not starve the rest. */
export interface ListenerSet<T> {
  add(listener: (value: T) => void): Unsubscribe;
  emit(value: T): void;
  readonly size: number;
}

export function createListenerSet<T>(onError?: (err: unknown) => void): ListenerSet<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    add(listener) {
      // Wrapped so the same function added twice is two subscriptions, each removable on its own.
      const entry = (value: T): void => listener(value);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    emit(value) {
      for (const l of [...listeners]) {
        try {
          l(value);
        } catch (err) {
          (onError ?? reportListenerError)(err);
        }
      }
    },
    get size() {
      return listeners.size;
    },
  };
}

function reportListenerError(err: unknown): void {
  console.error('realtime listener threw', err);
}
