import type { EngineDescription, LogLine } from '../../api/agent-protocol.js';
import type { NodeResources, TaskAddress, TaskObject } from '../../api/objects.js';

/** Labels that tie a container to its task, so a restarted agent can adopt it. */
export const shoalLabels = {
  taskId: 'io.shoal.task.id',
  serviceId: 'io.shoal.service.id',
  serviceName: 'io.shoal.service.name',
  slot: 'io.shoal.task.slot',
  env: 'io.shoal.env',
  node: 'io.shoal.node.id',
  network: 'io.shoal.network.id',
  /** On engine networks: the cluster that made it (its CA's SHA-256), to tell another cluster's leftovers. */
  cluster: 'io.shoal.cluster.id',
} as const;

/** The engine's verdict of a container's health check (Docker's State.Health.Status). */
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy';

/**
 * A secret or config file the agent wrote for a task, given to the container read-only at
 * `target`. The executor only mounts it: writing, modes, owners and removal are the agent's
 * (src/agent/files/), so every executor shows the container the same bytes.
 */
export interface TaskFileMount {
  /** The file on the node (the agent's per-task folder). */
  hostPath: string;
  /** Absolute path in the container. */
  target: string;
}

export interface ObservedContainer {
  containerId: string;
  taskId: string;
  /**
   * The node the container was created for (its `io.shoal.node.id` label). An agent adopts or
   * removes only its own node's containers, so clusters sharing one engine never touch
   * each other's. Absent when the executor cannot tell: then it counts as this node's.
   */
  nodeId?: string;
  running: boolean;
  exitCode?: number;
  /** The engine's own error text when the container could not run. */
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Present only for a container with a health check (its own or its image's). */
  health?: ContainerHealth;
  /** A running container's IPv4 address on each network it joined (none known: absent). */
  addresses?: TaskAddress[];
}

/**
 * A network the node's engine keeps for Shoal: one bridge per (network, node), on the range the
 * manager allocated, so addresses never collide across nodes and the overlay can route them.
 */
export interface EngineNetworkSpec {
  /** The engine's name for it (`dockerNetworkName`). */
  name: string;
  networkId: string;
  /** The Linux bridge device (at most 15 characters). */
  bridge: string;
  subnet: string;
  gateway: string;
}

/** Who a node's engine networks belong to: the node, and its cluster (`shoalLabels.cluster`). */
export interface NetworkOwner {
  nodeId: string;
  /** The cluster's identity: its CA certificate's SHA-256, the same on every node of a cluster. */
  clusterId: string;
}

/** What `syncNetworks` did beyond this node's own networks, for the agent's log. */
export interface NetworkSyncResult {
  /** Other nodes' or clusters' networks it removed because they were in the way: `NAME (RANGE)`. */
  leftoversRemoved: string[];
}

/** A wanted network the engine cannot have for now, and why, in words for the task's status. */
export interface NetworkConflict {
  /** The engine's name of the wanted network. */
  name: string;
  message: string;
}

/** How a task's container is wired: its networks (the first is its primary) and its resolver. */
export interface ContainerNetworking {
  networks: { name: string; aliases: string[] }[];
  /** A resolv.conf on the node, mounted read-only at /etc/resolv.conf (the agent's resolver). */
  resolvConf?: string;
}

/** Called with a container's new health each time it changes. */
export type HealthListener = (containerId: string, health: ContainerHealth) => void;

export interface ExitResult {
  exitCode: number;
  error?: string;
}

/** Failures the worker maps onto task states: `rejected` when the task can never run here. */
export class ExecutorError extends Error {
  constructor(
    readonly kind: 'rejected' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'ExecutorError';
  }
}

/**
 * `syncNetworks` made every wanted network but these: another network holds their range (a
 * network that is not Shoal's, or another cluster's still used by its containers).
 */
export class NetworkConflictError extends ExecutorError {
  constructor(readonly conflicts: NetworkConflict[]) {
    super('failed', conflicts.map((c) => `network ${c.name}: ${c.message}`).join('; '));
    this.name = 'NetworkConflictError';
  }
}

export interface WaitOptions {
  signal?: AbortSignal;
}

export interface LogOptions {
  follow: boolean;
  tail?: number;
  signal?: AbortSignal;
}

/**
 * What the agent needs from a container runtime. One contract suite
 * (test/executor-contract.ts) runs against every implementation.
 */
export interface Executor {
  describe(): Promise<{ hostname: string; resources: NodeResources; engine: EngineDescription }>;
  /** Every container this executor created for any task, running or not. */
  list(): Promise<ObservedContainer[]>;
  /**
   * Creates the container (not started) with `files` mounted read-only, joined to the networks
   * of `networking` (none: the engine's default network); returns its id.
   * Missing image → ExecutorError('rejected').
   */
  prepare(task: TaskObject, nodeId: string, files?: TaskFileMount[], networking?: ContainerNetworking): Promise<string>;
  /**
   * Makes the engine's Shoal networks of this node match `wanted`: creates the missing ones
   * (labelled with the owner's node and cluster), and removes the others once no container
   * uses them (one still in use stays until a later call). Another node's or cluster's Shoal
   * network (of this executor's scope) is removed only when it is in the way of a wanted one
   * and no container uses it (`planNetworkSync`); any other network in the way fails the call
   * with a `NetworkConflictError` naming it, after every other wanted network was made.
   * Containers are never touched.
   */
  syncNetworks(wanted: EngineNetworkSpec[], owner: NetworkOwner): Promise<NetworkSyncResult>;
  start(containerId: string): Promise<void>;
  /**
   * Resolves when the container exits (at once when it already has). An aborted `signal`
   * rejects the wait without touching the container (the agent stops watching, e.g. on stop()).
   */
  wait(containerId: string, options?: WaitOptions): Promise<ExitResult>;
  inspect(containerId: string): Promise<ObservedContainer | undefined>;
  /** Stops with the task's stop signal, then kills after the grace period. */
  shutdown(containerId: string, stopSignal: string | undefined, graceMs: number): Promise<void>;
  /** Removes the container; a container already gone is not an error. */
  remove(containerId: string): Promise<void>;
  logs(containerId: string, options: LogOptions): AsyncIterable<LogLine>;
  /**
   * Reports health changes of this executor's containers until `signal` aborts. When the watch
   * (re)connects it also reports the current health of every container that has one, so no
   * change is lost while it was away. The engine, not the agent, runs the checks; an unhealthy
   * container is only reported, never restarted here. `onError`: lost connections (retried).
   */
  watchHealth(listener: HealthListener, signal: AbortSignal, onError?: (err: unknown) => void): void;
}
