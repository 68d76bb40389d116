import { describe, expect, it } from 'vitest';
import { parsePrometheus, sum } from '../dist/prometheus.js';

const TEXT = `# HELP switchboard_connections Realtime connections.
# TYPE switchboard_connections gauge
switchboard_connections{transport="websocket",format="json"} 3
switchboard_connections{transport="websocket",format="msgpack"} 2
switchboard_connections{transport="none",format="suspended"} 1
switchboard_messages_in_total 42
switchboard_nacks_total{code="40160"} 5
odd_label{path="a\\"b"} 1.5
`;

describe("the dashboard's Prometheus text parser", () => {
  it('reads names, labels (with escapes) and values, and skips comments', () => {
    const samples = parsePrometheus(TEXT);
    expect(samples).toHaveLength(6);
    expect(samples[4]).toEqual({
      name: 'switchboard_nacks_total',
      labels: { code: '40160' },
      value: 5,
    });
    expect(samples[5]?.labels).toEqual({ path: 'a"b' });
  });

  it('sums the samples of one name whose labels pass a filter', () => {
    const samples = parsePrometheus(TEXT);
    expect(sum(samples, 'switchboard_connections', (l) => l.transport !== 'none')).toBe(5);
    expect(sum(samples, 'switchboard_messages_in_total')).toBe(42);
    expect(sum(samples, 'missing')).toBe(0);
  });
});
