// The soak run's own entry: scripts import it outside vitest (see ../chaos/index.ts).
export { runSoak } from './run-soak.js';
export type { SoakOptions, SoakProgress, SoakReport } from './run-soak.js';
export type { MemoryTrend, TimedSample } from './memory-trend.js';
export { spawnSwitchboard } from '../server-process.js';
export type { MemorySample, SwitchboardProcess } from '../server-process.js';
