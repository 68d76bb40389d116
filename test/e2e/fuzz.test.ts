import { runFuzz } from '@switchboard/testkit/fuzz';
import { describe, expect, it } from 'vitest';

// The short form of `npm run fuzz`: a couple of thousand mutated ProtocolMessages (JSON and
// msgpack), hostile REST bodies and query strings and raw HTTP requests against a server in a
// child process, with an official publisher and subscriber beside them.
describe('fuzz', () => {
  it('hostile frames and requests: the server stays up, answers no 5xxxx, the good pair loses nothing', async () => {
    const report = await runFuzz({ frames: 2000, sockets: 6, publishRate: 10, settleMs: 500 });
    expect(report.total).toBe(2000);
    for (const kind of ['json', 'msgpack', 'rest-body', 'rest-query', 'raw-http'])
      expect(report.sent[kind], kind).toBeGreaterThan(0);
    expect(report.good.acked).toBeGreaterThan(0);
    expect(report.good.subscriber?.delivered).toBe(report.good.acked);
    expect({
      seed: report.seed,
      violations: report.violations,
      findings: report.findings,
      problems: report.server.problems.filter((p) => !p.startsWith('warn')),
    }).toEqual({ seed: report.seed, violations: [], findings: [], problems: [] });
  }, 120_000);
});
