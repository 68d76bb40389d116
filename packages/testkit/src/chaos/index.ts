// The chaos run's own entry: scripts import it outside vitest, so it must not pull in the
// conformance suites (which import vitest) that the main entry exports.
export { runChaos } from './run-chaos.js';
export type { ChaosOptions, ChaosProgress, ChaosReport } from './run-chaos.js';
export type { PublishCounts, SubscriberReport } from './tally.js';
export { FAULT_KINDS } from './fault-proxy.js';
export type { FaultKind } from './fault-proxy.js';
export { runClusterChaos, CLUSTER_FAULT_KINDS } from './run-cluster-chaos.js';
export type {
  ClusterChaosOptions,
  ClusterChaosProgress,
  ClusterChaosReport,
  ClusterFaultKind,
} from './run-cluster-chaos.js';
