import { Agent, type Dispatcher } from 'undici';

/**
 * The HTTP agent the Expo SDK sends through. The SDK reads its base URL once, from
 * `EXPO_BASE_URL`, when first imported; a per-sender `baseUrl` (a local stand-in, an
 * air-gapped relay) is applied here instead by pointing each request at that origin (a path
 * prefix in `baseUrl` is kept). `timeoutMs` bounds the wait for an answer, so a stalled push
 * service becomes a retryable failure rather than a hung send.
 */
export function createExpoDispatcher(
  timeoutMs: number,
  baseUrl?: string,
): { dispatcher: Dispatcher; close: () => Promise<void> } {
  const agent = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const close = () => agent.close();
  if (baseUrl === undefined) return { dispatcher: agent, close };
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const dispatcher = agent.compose(
    (dispatch) => (opts, handler) =>
      dispatch({ ...opts, origin: base.origin, path: `${prefix}${opts.path}` }, handler),
  );
  return { dispatcher, close };
}
