import type { Constraint } from '../../api/constraint.js';
import type { TaskObject } from '../../api/objects.js';
import type { NodeInfo } from './node-info.js';

/** What the tasks of one service version ask of a node, derived once per pass. */
export interface TaskDemand {
  serviceId: string;
  nanoCpus: number;
  memoryBytes: number;
  ports: string[];
  constraints: Constraint[];
  maxReplicasPerNode: number;
  /** Services a node must already run a task of (`serviceId` undefined: no such service). */
  colocateWith: ServiceRef[];
  /** Services whose tasks a node must not run, because this one avoids them or they avoid it. */
  avoid: ServiceRef[];
}

/** A service named by a placement rule, resolved in the task's environment. */
export interface ServiceRef {
  name: string;
  serviceId: string | undefined;
}

export interface FilterContext {
  demand: TaskDemand;
  /** The task's environment: the only one whose nodes it is judged against. */
  env: string;
  /** Nodes in the task's environment, so a message can say "no node" rather than "3 nodes". */
  nodeCount: number;
}

/**
 * One reason a node may not take a task. `explain` turns the number of nodes this filter
 * rejected into the words users read in a pending task's reason.
 */
export interface Filter {
  readonly name: string;
  check(node: NodeInfo, task: TaskObject, ctx: FilterContext): boolean;
  explain(count: number, task: TaskObject, ctx: FilterContext): string;
  /** False when the demand cannot make this filter say no (no ports, no reservation...): skipped. */
  appliesTo?(ctx: FilterContext): boolean;
}

/** "1 node" / "3 nodes". */
export const nodes = (count: number): string => `${count} node${count === 1 ? '' : 's'}`;

/** Picks the verb form for the count: has/have, is/are, does/do. */
export const verb = (count: number, one: string, many: string): string => (count === 1 ? one : many);
