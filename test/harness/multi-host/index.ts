export { MultiHostCluster, startMultiHostCluster } from './cluster.js';
export type { ClusterNode, MultiHostOptions, StartTimings } from './cluster.js';
export * from './cluster-checks.js';
export { leftovers } from './leftovers.js';
