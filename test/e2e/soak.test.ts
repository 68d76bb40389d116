import { runSoak } from '@switchboard/testkit/soak';
import { describe, expect, it } from 'vitest';

// The short form of `npm run soak`: half a minute of every kind of churn against a server in a
// child process. Too short for a memory trend (the report says so and does not judge it); it
// judges the rest: nothing lost, nothing failed, slow consumers cut, presence converged.
describe('soak', () => {
  it('RTN22/RTN15h/RTP: half a minute of churn loses nothing and fails nothing', async () => {
    const report = await runSoak({ minutes: 0.5, warmupMinutes: 0.1, slowConsumerPauseSeconds: 5 });
    expect(report.memory.judged).toBe(false);
    expect(report.memory.note).toMatch(/not judged/);
    expect(report.samples.length).toBeGreaterThanOrEqual(6);
    expect(report.progress.acked).toBeGreaterThan(300);
    expect(report.progress.churn.opened).toBeGreaterThan(50);
    expect(report.progress.churn.dropped).toBeGreaterThan(0);
    expect(report.progress.tokenRenewals).toBeGreaterThan(6);
    expect(report.progress.slowConsumersCut).toBeGreaterThan(0);
    expect({ seed: report.seed, violations: report.violations, errors: report.errors }).toEqual({
      seed: report.seed,
      violations: [],
      errors: [],
    });
    for (const s of report.subscribers) expect(s.delivered).toBe(report.progress.acked);
  }, 90_000);
});
