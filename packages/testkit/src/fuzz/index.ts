// The fuzz run's own entry: scripts import it outside vitest (see ../chaos/index.ts).
export { runFuzz } from './run-fuzz.js';
export type {
  FuzzFinding,
  FuzzMemorySample,
  FuzzOptions,
  FuzzProgress,
  FuzzReport,
} from './run-fuzz.js';
export { createHttpFuzzer, ROUTES } from './http-requests.js';
export { rawExchange } from './raw-exchange.js';
export type { RawReply } from './raw-exchange.js';
