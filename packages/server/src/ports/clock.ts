/** A cancellable timer handle. */
export interface TimerHandle {
  cancel(): void;
}

/** Time, injected so tests and hosts control it. */
export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** The wall clock with Node timers that never keep the process alive on their own. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(fn, ms) {
      const t = setTimeout(fn, ms);
      t.unref?.();
      return { cancel: () => clearTimeout(t) };
    },
  };
}
