import { Action, Errors } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';

/**
 * Arms the token timers of a session (RTN22, RSA4b): an AUTH request `tokenRenewLeadMs` before
 * expiry, only when the token has more life left than that (else a short-lived token would make
 * the client loop on renewals, and a client with no way to renew would be failed by it), and
 * DISCONNECTED 40142 at expiry if no new token came (RTN15h).
 */
export function armTokenTimers(ctx: EngineContext, session: Session): void {
  session.cancelTimer('renew');
  session.cancelTimer('expiry');
  const expires = session.auth.expires;
  if (expires === undefined) return;
  const now = ctx.clock.now();
  const remaining = expires - now;
  const lead = ctx.limits.tokenRenewLeadMs;
  if (remaining > lead) {
    const renew = (): void => {
      if (session.transport) session.send({ action: Action.AUTH });
    };
    session.setTimer('renew', ctx.clock.setTimer(renew, remaining - lead));
  }
  const expire = (): void => {
    // Timers run on a monotonic clock and may fire a millisecond before the wall clock says the
    // token has expired; re-arm rather than miss the expiry.
    if (session.auth.expires !== undefined && session.auth.expires > ctx.clock.now()) {
      armTokenTimers(ctx, session);
      return;
    }
    session.endTransport(Action.DISCONNECTED, Errors.tokenExpired());
  };
  session.setTimer('expiry', ctx.clock.setTimer(expire, Math.max(0, remaining)));
}
