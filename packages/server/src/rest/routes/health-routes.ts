import { Errors } from '@switchboard/protocol';
import type { EngineContext } from '../../context.js';
import { respond } from '../body-codec.js';
import type { RestRequest, RestResponse } from '../http.js';

/** How long `/ready` waits for the store before calling it unreachable. */
const STORE_CHECK_MS = 1000;

/** GET /health: the process is alive and serving HTTP (no credentials, nothing about the data). */
export function healthRoute(_ctx: EngineContext, req: RestRequest): RestResponse {
  return respond(req, 200, { status: 'ok' });
}

/**
 * GET /ready: whether to send traffic here. 503 while draining or when the store does not answer
 * a trivial read within STORE_CHECK_MS; a load balancer then routes to another node.
 */
export async function readyRoute(ctx: EngineContext, req: RestRequest): Promise<RestResponse> {
  if (ctx.draining) throw Errors.notReady('draining');
  // A read of a channel that cannot exist: one index lookup, whatever the store holds.
  const probe = ctx.history.readHistory({
    appId: '',
    channel: '',
    kind: 'message',
    backwards: false,
    limit: 1,
    asSent: true,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), STORE_CHECK_MS);
  });
  try {
    await Promise.race([probe, timeout]);
  } catch (err) {
    throw Errors.notReady(`store unreachable (${err instanceof Error ? err.message : 'error'})`);
  } finally {
    clearTimeout(timer);
  }
  return respond(req, 200, { status: 'ready' });
}
