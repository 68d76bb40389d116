import { Action, Errors } from '@switchboard/protocol';
import type { EngineContext } from '../context.js';
import type { Session } from './session.js';

/** How long before expiry the server asks for a new token, as a share of the token's life. */
const RENEW_LEAD_SHARE = 0.25;
const RENEW_LEAD_MAX_MS = 30_000;

/**
 * Arms the token timers of a session (RTN22, RSA4b): an AUTH request shortly before expiry,
 * scheduled only when the token has more life left than the lead (else a short-lived token would
 * make the client loop on renewals), and DISCONNECTED 40142 at expiry if no new token came.
 */
export function armTokenTimers(ctx: EngineContext, session: Session): void {
  session.cancelTimer('renew');
  session.cancelTimer('expiry');
  const expires = session.auth.expires;
  if (expires === undefined) return;
  const now = ctx.clock.now();
  const remaining = expires - now;
  const lead = Math.min(RENEW_LEAD_MAX_MS, remaining * RENEW_LEAD_SHARE);
  if (remaining > lead && lead >= 250) {
    session.timers.renew = ctx.clock.setTimer(() => {
      if (session.transport) session.send({ action: Action.AUTH });
    }, remaining - lead);
  }
  session.timers.expiry = ctx.clock.setTimer(() => {
    if (session.auth.expires !== undefined && session.auth.expires <= ctx.clock.now()) {
      session.endTransport(Action.DISCONNECTED, Errors.tokenExpired());
    }
  }, Math.max(0, remaining));
}
