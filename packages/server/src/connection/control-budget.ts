import type { EngineContext } from '../context.js';
import type { Session } from '../session/session.js';

/** Presence members or backlog messages a control frame may send per unit of cost. */
const ITEMS_PER_COST_UNIT = 10;

/**
 * What an ATTACH or SYNC costs: one, plus one per ten presence members or backlog messages it
 * makes the server send, so the budget bounds the output a connection can ask for, not just its
 * frame count.
 */
export function controlCost(itemsSent: number): number {
  return 1 + Math.ceil(itemsSent / ITEMS_PER_COST_UNIT);
}

/**
 * Spends from the connection's control budget, a token bucket of `maxControlBurst` refilled at
 * `maxControlRate` per second. An operation is allowed while the budget is positive and may take
 * it into debt, so one large SYNC always goes through and the next ones wait. Returns false when
 * the budget is spent.
 */
export function spendControlBudget(ctx: EngineContext, session: Session, cost: number): boolean {
  const now = ctx.clock.now();
  const refill = ((now - session.controlRefilledAt) / 1000) * ctx.limits.maxControlRate;
  session.controlTokens = Math.min(ctx.limits.maxControlBurst, session.controlTokens + refill);
  session.controlRefilledAt = now;
  if (session.controlTokens <= 0) return false;
  session.controlTokens -= cost;
  return true;
}
