import type { NodeIngressStatus } from './ingress-status.js';
import type { ServiceSpec } from './service-spec.js';
import type { DesiredTaskState, TaskState } from './task-state.js';

/** Objects as the store keeps them and the API returns them. Times are ISO 8601 strings. */

export const defaultEnvironment = 'default';

export interface Meta {
  id: string;
  env: string;
  /** Store revision of the last change; clients send it back for optimistic concurrency. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type NodeAvailability = 'active' | 'pause' | 'drain';
export type NodeState = 'unknown' | 'ready' | 'down' | 'disconnected';

export interface NodeResources {
  nanoCpus: number;
  memoryBytes: number;
}

export interface NodeObject extends Meta {
  hostname: string;
  role: 'manager' | 'worker';
  availability: NodeAvailability;
  labels: Record<string, string>;
  status: {
    state: NodeState;
    message: string;
    address: string;
    timestamp: string;
    /** What its ingress proxy serves, as the agent last reported it (absent: the agent runs no ingress). */
    ingress?: NodeIngressStatus;
  };
  resources: NodeResources;
  engine: { version: string; os: string; arch: string };
  /** The node's current certificate (its serial is revoked when the node is removed). */
  certificate?: { serial: string; notAfter: string };
}

export type UpdateState =
  | 'updating'
  | 'paused'
  | 'completed'
  | 'rollback_started'
  | 'rollback_paused'
  | 'rollback_completed';

export interface UpdateStatus {
  state: UpdateState;
  startedAt: string;
  completedAt?: string;
  message: string;
  /** The spec version this update or rollback moves the tasks to. */
  targetSpecVersion: number;
  /** No new batch starts before this time (update delay after a finished batch). */
  nextBatchAt?: string;
}

/**
 * A Rancher-style in-service upgrade: the old tasks were stopped but their containers kept until
 * the user confirms (they are removed) or rolls back (the same containers start again).
 * `upgrading`: the old tasks are still to be stopped; `upgraded`: waiting for confirm or
 * rollback; `confirming` / `rolling_back`: asked for, the orchestrator is carrying it out.
 */
export interface InServiceUpgrade {
  state: 'upgrading' | 'upgraded' | 'confirming' | 'rolling_back';
  startedAt: string;
  previousSpec: ServiceSpec;
  previousSpecVersion: number;
  /** The spec version the upgrade moved to: the upgrade's own tasks have it or a later one. */
  specVersion: number;
  /** The secret and config versions the previous spec pinned, restored by a rollback. */
  previousFileVersions?: Record<string, number>;
  /** The old tasks whose stopped containers are kept. */
  keptTaskIds: string[];
}

export interface ServiceObject extends Meta {
  name: string;
  stack?: string;
  spec: ServiceSpec;
  /** Increments on every spec change; tasks record the version they were made from. */
  specVersion: number;
  previousSpec?: ServiceSpec;
  updateStatus?: UpdateStatus;
  /** Set while an in-service upgrade awaits confirm or rollback. */
  upgrade?: InServiceUpgrade;
  /**
   * Set by the orchestrator on a stored service it cannot hold (counts beyond the hard limits of
   * `limits.ts`): no loop acts on it until an update or scale brings it within them.
   */
  refused?: { reason: string; since: string };
  /**
   * The version of each secret and config the spec references (`secret/NAME` → version), set
   * when the spec is written and when one of them is rotated; new tasks copy it into their own
   * `fileVersions`.
   */
  fileVersions?: Record<string, number>;
}

export interface TaskStatus {
  state: TaskState;
  message: string;
  timestamp: string;
  error?: string;
  containerId?: string;
  exitCode?: number;
  /** Why the scheduler could not place a pending task. */
  pendingReason?: string;
  /** When the task first reached `running`. */
  runningSince?: string;
  /** The engine's health of a running container with a health check. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  /**
   * The running container's IPv4 address on each network it joined, as the engine reports it
   * (e.g. `bridge`); absent until the agent read them, and once the task left `running`.
   */
  addresses?: TaskAddress[];
}

/** One address of a task's container: the engine's network name and the IPv4 on it. */
export interface TaskAddress {
  network: string;
  ip: string;
}

export interface TaskObject extends Meta {
  serviceId: string;
  serviceName: string;
  /** Replicated tasks own a slot (1..N); global tasks own a node and have no slot. */
  slot?: number;
  nodeId?: string;
  specVersion: number;
  spec: ServiceSpec;
  desiredState: DesiredTaskState;
  status: TaskStatus;
  /** A restarted task waits until this time before it may be scheduled. */
  notBefore?: string;
  /** The task this one replaced after it ended (restart), for attempt counting. */
  restartOf?: string;
  /**
   * When the restarts of this slot happened (ISO times, newest last), carried from each task to
   * its restart so max attempts still count after the reaper deleted the old tasks.
   */
  restartHistory?: string[];
  /**
   * When the orchestrator stopped this task because the engine reported it unhealthy, so a
   * rolling update counts it as a failure even after its container has ended.
   */
  stoppedUnhealthyAt?: string;
  /**
   * The version of each secret and config the task was made with (`secret/NAME` →
   * version), so a rotation reaches running tasks only through an update.
   */
  fileVersions?: Record<string, number>;
  /**
   * An in-service upgrade stopped this task and keeps its container for a rollback: the reaper
   * leaves it alone until the upgrade is confirmed (the container is removed) or rolled back.
   */
  keepContainer?: boolean;
  /**
   * A rollback task that starts the kept, stopped container of `adoptFromTaskId` again instead
   * of creating one (the agent hands that task's container over).
   */
  adoptContainerId?: string;
  adoptFromTaskId?: string;
}

/** The name a task's container gets: service.slot.taskid (or service.nodeid.taskid). */
export function taskName(t: Pick<TaskObject, 'serviceName' | 'slot' | 'nodeId' | 'id'>): string {
  return `${t.serviceName}.${t.slot ?? t.nodeId ?? 'x'}.${t.id}`;
}
