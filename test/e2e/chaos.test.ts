import { runChaos, type ChaosReport } from '@switchboard/testkit/chaos';
import { describe, expect, it } from 'vitest';

/** The parts of a report that must be clean, in a shape whose diff reads well on failure. */
function verdict(report: ChaosReport): object {
  return {
    subscribers: report.subscribers.map((s) => ({
      name: s.name,
      missing: s.missingSample,
      duplicated: s.duplicated,
      outOfOrder: s.outOfOrder,
      deliveredNacked: s.deliveredNacked,
      discontinuities: s.discontinuities,
    })),
    presenceConverged: report.presence.seen.every((p) => p.converged),
    allConnected: report.clients.every((c) => c.state === 'connected'),
  };
}

const clean = {
  subscribers: ['sub-msgpack', 'sub-json'].map((name) => ({
    name,
    missing: [],
    duplicated: 0,
    outOfOrder: 0,
    deliveredNacked: 0,
    discontinuities: 0,
  })),
  presenceConverged: true,
  allConnected: true,
};

// The short form of `npm run chaos`: ~100 socket faults (resets, half-closes, black holes) on
// official clients in both wire formats, then every ACKed message must have reached every
// subscriber exactly once and in order (RTN19a resends, RTN15c resumes, RTL4c1 re-attaches).
describe('chaos', () => {
  it.each([
    ['over the rate limit (some publishes NACKed 42910)', true],
    ['under the rate limit', false],
  ])(
    'RTN19a/RTN15c: no ACKed message is lost, duplicated or reordered %s',
    async (_, overRate) => {
      const report = await runChaos({ cuts: 100, cutsPerSecond: 20, overRate, settleMs: 15_000 });
      expect(report.faults.total).toBe(100);
      expect(report.acked).toBeGreaterThan(500);
      const nacked = report.publishes['realtime-fast']?.failed['42910'] ?? 0;
      if (overRate) expect(nacked).toBeGreaterThan(0);
      else expect(nacked).toBe(0);
      expect({ seed: report.seed, ...verdict(report) }).toEqual({ seed: report.seed, ...clean });
    },
    40_000,
  );
});
