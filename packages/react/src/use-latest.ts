import { useLayoutEffect, useEffect, useRef, type MutableRefObject } from 'react';

// useLayoutEffect warns during server rendering; effects do not run there anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/** A ref that always holds the latest value, so a subscription need not be redone per render. */
export function useLatest<T>(value: T): MutableRefObject<T> {
  const ref = useRef(value);
  useIsomorphicLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
