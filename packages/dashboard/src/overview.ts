import type { Api } from './api.js';
import { byId, row } from './dom.js';
import { parsePrometheus, sum } from './prometheus.js';
import { createSparkline } from './sparkline.js';

/** The connections, rates and NACK panels, fed from `GET /metrics`. */
export interface Overview {
  refresh(): Promise<void>;
}

/** Binds the overview panels of index.html. */
export function createOverview(api: Api): Overview {
  const charts = {
    connections: createSparkline(byId<SVGSVGElement>('connections-chart')),
    rateIn: createSparkline(byId<SVGSVGElement>('rate-in-chart')),
    rateOut: createSparkline(byId<SVGSVGElement>('rate-out-chart')),
  };
  let previous: { at: number; in: number; out: number } | undefined;
  return {
    async refresh() {
      const samples = parsePrometheus(await api.text('/metrics'));
      const at = performance.now();
      const connections = sum(samples, 'switchboard_connections', (l) => l.transport !== 'none');
      const totals = {
        at,
        in: sum(samples, 'switchboard_messages_in_total'),
        out: sum(samples, 'switchboard_deliveries_total'),
      };
      byId('connections').textContent = String(connections);
      charts.connections.push(connections);
      if (previous) {
        const seconds = Math.max((at - previous.at) / 1000, 0.001);
        const rateIn = (totals.in - previous.in) / seconds;
        const rateOut = (totals.out - previous.out) / seconds;
        byId('rate-in').textContent = rateIn.toFixed(1);
        byId('rate-out').textContent = rateOut.toFixed(1);
        charts.rateIn.push(rateIn);
        charts.rateOut.push(rateOut);
      }
      previous = totals;
      const nacks = samples.filter((s) => s.name === 'switchboard_nacks_total' && s.value > 0);
      const body = byId('nacks').querySelector('tbody')!;
      body.replaceChildren(
        ...(nacks.length === 0
          ? [row(['none', 0])]
          : nacks.map((s) => row([s.labels.code ?? '?', s.value]))),
      );
    },
  };
}
