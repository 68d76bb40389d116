/**
 * Runs the calls of one writer one after another, in call order. The port promises that appends
 * land in the order they were made (a reader never sees a later batch without an earlier one);
 * over a pool, concurrent transactions could commit in any order.
 */
export function serialQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  };
}
