import { groupBy } from '../orchestrator/task-index.js';
import type { NodeInfo } from './node-info.js';

/**
 * The nodes a task may ever be judged against: those of its own environment. This is a pool
 * rather than one more filter so that a pending reason counts only the environment's nodes and
 * never tells one environment how many nodes another has.
 */
export const nodesByEnvironment = (infos: Iterable<NodeInfo>): Map<string, NodeInfo[]> => groupBy(infos, (info) => info.node.env);

/** The words a pending task shows when its environment has no node at all. */
export const noNodeInEnvironment = (env: string): string => `no node in environment "${env}"`;
