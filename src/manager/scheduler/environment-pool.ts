import type { NodeInfo } from './node-info.js';

/**
 * The nodes a task may ever be judged against: those of its own environment. This is a pool
 * rather than one more filter so that a pending reason counts only the environment's nodes and
 * never tells one environment how many nodes another has.
 */
export function nodesByEnvironment(infos: Iterable<NodeInfo>): Map<string, NodeInfo[]> {
  const byEnv = new Map<string, NodeInfo[]>();
  for (const info of infos) {
    const list = byEnv.get(info.node.env);
    if (list) list.push(info);
    else byEnv.set(info.node.env, [info]);
  }
  return byEnv;
}

/** The words a pending task shows when its environment has no node at all. */
export const noNodeInEnvironment = (env: string): string => `no node in environment "${env}"`;
