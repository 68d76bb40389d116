import type { MemorySample } from '../server-process.js';

/** One reading during a soak, with when it was taken. */
export interface TimedSample extends MemorySample {
  /** Milliseconds since the run started. */
  atMs: number;
  /** `after`: once the load stopped and the clients settled, shown but not judged. */
  phase: 'warm-up' | 'steady' | 'after';
}

/** How memory moved after warm-up; `judged` is false when the run was too short to say. */
export interface MemoryTrend {
  judged: boolean;
  /** Why it was or was not judged, in words for the report. */
  note: string;
  start?: MemorySample;
  afterWarmup?: MemorySample;
  end?: MemorySample;
  peak?: MemorySample;
  /** Growth from the end of warm-up to the end, as fractions (0.05 = 5 %). */
  rssGrowth?: number;
  heapGrowth?: number;
}

/** Field by field median of a few samples, so one noisy reading does not decide a verdict. */
function median(samples: MemorySample[]): MemorySample {
  const pick = (k: keyof MemorySample): number => {
    const sorted = samples.map((s) => s[k]).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    rss: pick('rss'),
    heapUsed: pick('heapUsed'),
    heapTotal: pick('heapTotal'),
    external: pick('external'),
    arrayBuffers: pick('arrayBuffers'),
  };
}

/**
 * Compares the median of the three readings around the end of warm-up with the median of the
 * last three. Memory is judged only when at least `minSteadyMs` of steady running lies between
 * them: on a shorter run the two would overlap, and caches still filling look like growth.
 */
export function memoryTrend(samples: TimedSample[], minSteadyMs: number): MemoryTrend {
  if (samples.length === 0) return { judged: false, note: 'no memory readings' };
  const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
  const steady = samples.filter((s) => s.phase === 'steady');
  const base = { start: samples[0]!, end: (steady.at(-1) ?? samples.at(-1))!, peak };
  const steadyMs = steady.length > 0 ? steady.at(-1)!.atMs - steady[0]!.atMs : 0;
  if (steady.length < 6 || steadyMs < minSteadyMs) {
    return {
      ...base,
      judged: false,
      note:
        `memory not judged: ${(steadyMs / 60_000).toFixed(1)} min of readings after warm-up, ` +
        `the verdict needs ${(minSteadyMs / 60_000).toFixed(1)} min and 6 readings`,
    };
  }
  const afterWarmup = median(steady.slice(0, 3));
  const end = median(steady.slice(-3));
  const rssGrowth = end.rss / afterWarmup.rss - 1;
  const heapGrowth = end.heapUsed / afterWarmup.heapUsed - 1;
  return {
    ...base,
    afterWarmup,
    end,
    judged: true,
    note: 'median of the first three readings after warm-up against the median of the last three',
    rssGrowth,
    heapGrowth,
  };
}
