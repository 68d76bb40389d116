import { act, createElement, StrictMode, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { RealtimeClientProvider } from '@switchboard/react';
import type { RealtimeProvider } from '@switchboard/kit';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/**
 * A value a component reports on each render. `until` lets React work between checks the way
 * testing-library's waitFor does: each round is one act() scope around a short task, because
 * updates made inside an act scope only render once that scope ends.
 */
export function probe<T>() {
  let latest: T | undefined;
  return {
    get latest() {
      return latest;
    },
    report(value: T) {
      latest = value;
    },
    /** Resolves on the first render whose value passes `test` (the test's timeout bounds it). */
    async until(test: (v: T) => boolean): Promise<T> {
      while (latest === undefined || !test(latest)) await flush();
      return latest;
    },
  };
}

/** One act() round around a 5 ms task: pending events arrive and the renders they cause happen. */
export function flush(): Promise<void> {
  return act(() => new Promise<void>((resolve) => setTimeout(resolve, 5)));
}

/** Awaits `promise` letting React render meanwhile (see probe). */
export async function inAct<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  while (!settled) await flush();
  return tracked;
}

/** Mounts `ui` under a provider for `client`, in StrictMode unless told otherwise. */
export async function mount(
  client: RealtimeProvider,
  ui: ReactNode,
  opts: { strict?: boolean } = {},
): Promise<{ root: Root; render(ui: ReactNode): Promise<void>; unmount(): Promise<void> }> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  const wrap = (node: ReactNode): ReactNode => {
    const tree = createElement(RealtimeClientProvider, { client }, node);
    return opts.strict === false ? tree : createElement(StrictMode, null, tree);
  };
  await act(async () => root.render(wrap(ui)));
  return {
    root,
    render: (node) => act(async () => root.render(wrap(node))),
    unmount: () => act(async () => root.unmount()),
  };
}

/** Resolves when `client` reports `channel` in `state`. */
export function channelReaches(
  client: RealtimeProvider,
  channel: string,
  state: string,
): Promise<void> {
  if (client.channelState(channel) === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.onChannelStateChange((c) => {
      if (c.channel === channel && c.current === state) {
        off();
        resolve();
      }
    });
  });
}
