import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';

/**
 * What reconcile and scheduling functions read: a snapshot of the cluster, the time, and an id
 * source (so tests can make ids deterministic). They return plans and never touch the store.
 */
export interface ClusterView {
  services: ServiceObject[];
  tasks: TaskObject[];
  nodes: NodeObject[];
  now: number;
  newId: () => string;
}

/**
 * Changes a loop applies in one store transaction. Updated objects are whole objects carrying
 * the version they were read at, so a concurrent change makes the commit fail and the loop
 * retries from fresh state.
 */
export interface Plan {
  createTasks: TaskObject[];
  updateTasks: TaskObject[];
  deleteTasks: TaskObject[];
  updateServices: ServiceObject[];
  /** When something time-based (restart delay, update delay, monitor period) becomes due. */
  wakeAt?: number;
}

export const emptyPlan = (): Plan => ({ createTasks: [], updateTasks: [], deleteTasks: [], updateServices: [] });
