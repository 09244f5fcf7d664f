import type { TaskFilePayload, TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import type { Logger } from '../../lib/logger.js';
import type { ContainerHealth, Executor, ObservedContainer } from '../exec/executor.js';
import type { TaskNetworkSource } from './task-runner.js';
import { FilePayloads, resolveTaskFiles, taskHasFiles } from '../files/resolve-task-files.js';
import type { TaskFileStore } from '../files/task-file-store.js';
import { StatusBatcher } from './status-batcher.js';
import { containerStatus } from './task-status.js';
import { TaskRunner, type OfferedFiles } from './task-runner.js';

export interface WorkerOptions {
  executor: Executor;
  /** Where tasks' secret and config files are written (see chooseFilesRoot). */
  files: TaskFileStore;
  /** Receives batches of status updates (one 'status' message each). */
  report(updates: TaskStatusUpdate[]): void;
  logger: Logger;
  /** How long status updates are collected before they go out as one batch. */
  batchMs?: number;
  /** The node's networking (none: containers join the engine's default network). */
  network?: TaskNetworkSource;
}

export interface Assignments {
  full: boolean;
  tasks: TaskObject[];
  removed: string[];
  /** Contents of the secrets and configs these tasks reference; used once, then dropped. */
  files?: TaskFilePayload[];
  /** The allowed host paths of the node's environment now (see bind-confinement.ts). */
  hostPaths?: string[];
}

/**
 * Runs the tasks assigned to this node: one TaskRunner per task, fed by assignment messages.
 * Containers found on the node at start wait to be claimed by the first full assignment:
 * claimed ones are adopted (not restarted), the rest are shut down and removed.
 */
export class Worker {
  private readonly runners = new Map<string, TaskRunner>();
  /** Containers found at start and not yet claimed, by task id; undefined once settled. */
  private found: Map<string, ObservedContainer[]> | undefined;
  private readonly batcher: StatusBatcher;
  private readonly cleanups = new Set<Promise<void>>();
  private nodeId: string | undefined;
  private stopped = false;
  private readonly healthWatch = new AbortController();
  /**
   * Containers that tasks adopt (a rollback of an in-service upgrade restarts a kept container
   * under a new task): container id → adopting task id. Their original task must not touch them.
   */
  private readonly handoffs = new Map<string, string>();
  /** Tasks whose files a container adopted by another task still mounts. */
  private readonly heldFiles = new Set<string>();
  /** The allowed host paths the manager sent last: the assignments that bring a task bring them. */
  private hostPaths: readonly string[] = [];

  constructor(private readonly options: WorkerOptions) {
    this.batcher = new StatusBatcher((updates) => options.report(updates), options.batchMs ?? 50);
  }

  /**
   * Lists the containers already on the node (left by a previous agent) for adoption.
   * `nodeId`: the id this agent had before, when it has one.
   */
  async init(nodeId?: string): Promise<void> {
    if (nodeId) this.nodeId = nodeId;
    const { executor, files, logger } = this.options;
    const found = new Map<string, ObservedContainer[]>();
    for (const c of await executor.list()) {
      const list = found.get(c.taskId) ?? [];
      list.push(c);
      found.set(c.taskId, list);
    }
    this.found = found;
    // Files of tasks whose containers are gone (removed while the agent was down) go now;
    // those of containers still here go when their container does.
    try {
      const pruned = await files.prune(new Set(found.keys()));
      if (pruned.length > 0) logger.info({ tasks: pruned.length }, 'deleted files of tasks no longer on this node');
    } catch (err) {
      logger.warn({ err }, 'could not prune task files');
    }
    executor.watchHealth(
      (containerId, health) => this.healthChanged(containerId, health),
      this.healthWatch.signal,
      (err) => logger.warn({ err }, 'container health watch lost; reconnecting'),
    );
  }

  /** The node id assignments are for; set once the manager has welcomed this agent. */
  setNodeId(nodeId: string): void {
    this.nodeId = nodeId;
  }

  /** The latest status of every task this node knows of, for hello. */
  observed(): TaskStatusUpdate[] {
    const out: TaskStatusUpdate[] = [];
    for (const runner of this.runners.values()) {
      const update = runner.observed();
      if (update) out.push(update);
    }
    for (const [taskId, containers] of this.found ?? []) {
      if (this.runners.has(taskId)) continue;
      const best = pickContainer(containers.filter((c) => this.ours(c)));
      if (best) out.push({ taskId, status: containerStatus(best) });
    }
    return out;
  }

  apply(assignments: Assignments): void {
    if (this.stopped) return;
    const nodeId = this.nodeId;
    if (!nodeId) {
      this.options.logger.warn('assignments before welcome ignored');
      return;
    }
    if (assignments.hostPaths) this.hostPaths = assignments.hostPaths;
    const mine = assignments.tasks.filter((t) => t.nodeId === nodeId);
    if (mine.length !== assignments.tasks.length) {
      this.options.logger.warn({ count: assignments.tasks.length - mine.length }, 'ignored tasks assigned to another node');
    }
    if (assignments.full) {
      this.handoffs.clear();
      this.heldFiles.clear();
    }
    for (const t of mine) {
      if (t.adoptContainerId === undefined) continue;
      this.handoffs.set(t.adoptContainerId, t.id);
      if (t.adoptFromTaskId !== undefined) this.heldFiles.add(t.adoptFromTaskId);
    }
    if (assignments.full) {
      const wanted = new Set(mine.map((t) => t.id));
      for (const [taskId, runner] of this.runners) if (!wanted.has(taskId)) runner.markRemoved();
    }
    const payloads = new FilePayloads(assignments.files);
    for (const task of mine) {
      const runner = this.runners.get(task.id);
      // Decoded only for a task still to be prepared: a full resync resends every running task's.
      const offer = taskHasFiles(task) && (!runner || runner.needsFiles()) ? resolveTaskFiles(task, payloads) : undefined;
      if (runner) {
        if (offer) runner.offerFiles(offer);
        runner.update(task);
      } else {
        this.createRunner(task, nodeId, offer);
      }
    }
    for (const taskId of assignments.removed) this.runners.get(taskId)?.markRemoved();
    if (assignments.full) this.removeUnclaimed();
  }

  /** Flushes pending status updates at once (e.g. before the session closes). */
  flush(): void {
    this.batcher.flush();
  }

  /** The container of a task, for logs. */
  containerOf(taskId: string): string | undefined {
    return this.runners.get(taskId)?.container() ?? pickContainer((this.found?.get(taskId) ?? []).filter((c) => this.ours(c)))?.containerId;
  }

  /** Stops every runner's loop; containers keep running for the next agent to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.healthWatch.abort();
    this.batcher.stop();
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    await Promise.all(this.cleanups);
    await this.options.files.tidy();
  }

  private healthChanged(containerId: string, health: ContainerHealth): void {
    for (const runner of this.runners.values()) {
      if (runner.container() === containerId) {
        runner.healthChanged(health);
        return;
      }
    }
  }

  private createRunner(task: TaskObject, nodeId: string, offer: OfferedFiles | undefined): void {
    const claimedElsewhere = (c: ObservedContainer): boolean => {
      const by = this.handoffs.get(c.containerId);
      return by !== undefined && by !== task.id;
    };
    const containers = this.takeFound(task.id, (c) => this.ours(c) && !claimedElsewhere(c));
    if (task.adoptContainerId !== undefined) containers.push(...this.takeOver(task.adoptContainerId, task.id));
    const adopted = pickContainer(containers);
    // Two containers of one task can exist only after a crash mid-create; keep the best one.
    for (const extra of containers) if (extra !== adopted) this.discard(extra);
    const runner = new TaskRunner(
      task,
      {
        executor: this.options.executor,
        files: this.options.files,
        nodeId,
        logger: this.options.logger,
        report: (update) => this.batcher.add(update),
        filesHeld: (taskId) => this.heldFiles.has(taskId),
        hostPaths: () => this.hostPaths,
        ...(this.options.network ? { network: this.options.network } : {}),
        onRemoved: (taskId) => {
          if (this.runners.get(taskId) === runner) this.runners.delete(taskId);
          void this.options.network?.forget(taskId).catch(() => undefined);
        },
      },
      adopted,
    );
    if (adopted) this.options.logger.info({ taskId: task.id, containerId: adopted.containerId }, 'adopted container');
    if (offer) runner.offerFiles(offer);
    this.runners.set(task.id, runner);
    runner.kick();
  }

  /**
   * Hands a kept container to the task adopting it: the runner of the task that made it lets go
   * of it, and after an agent restart it is found under that task's label.
   */
  private takeOver(containerId: string, taskId: string): ObservedContainer[] {
    for (const runner of this.runners.values()) {
      if (runner.taskId !== taskId && runner.container() === containerId) runner.releaseContainer();
    }
    return [...(this.found?.keys() ?? [])].flatMap((owner) => this.takeFound(owner, (c) => c.containerId === containerId && this.ours(c)));
  }

  /** Removes from `found` the containers found under `owner` that `pick` selects, and returns them. */
  private takeFound(owner: string, pick: (c: ObservedContainer) => boolean): ObservedContainer[] {
    const list = this.found?.get(owner) ?? [];
    const taken = list.filter(pick);
    if (taken.length === 0) return taken;
    const rest = list.filter((c) => !taken.includes(c));
    if (rest.length > 0) this.found?.set(owner, rest);
    else this.found?.delete(owner);
    return taken;
  }

  private removeUnclaimed(): void {
    if (!this.found) return;
    for (const containers of this.found.values()) for (const c of containers) if (this.ours(c)) this.discard(c);
    this.found = undefined;
  }

  /** Containers of another node id (another cluster on the same engine) are never touched. */
  private ours(c: ObservedContainer): boolean {
    return c.nodeId === undefined || c.nodeId === this.nodeId;
  }

  /** Shuts down and removes a container no task claims. */
  private discard(c: ObservedContainer): void {
    const { executor, files, logger } = this.options;
    logger.info({ taskId: c.taskId, containerId: c.containerId }, 'removing container no task claims');
    const work = (async () => {
      try {
        if (c.running) await executor.shutdown(c.containerId, undefined, 10_000);
        await executor.remove(c.containerId);
        // A second container of a claimed task shares its files with the one kept.
        if (!this.runners.has(c.taskId)) await files.remove(c.taskId);
      } catch (err) {
        logger.warn({ err, containerId: c.containerId }, 'could not remove unclaimed container');
      }
    })();
    this.cleanups.add(work);
    void work.finally(() => this.cleanups.delete(work));
  }
}

/** The container that best represents a task: a running one, else the latest started. */
function pickContainer(containers: ObservedContainer[]): ObservedContainer | undefined {
  return [...containers].sort((a, b) => score(b) - score(a))[0];
}

function score(c: ObservedContainer): number {
  return (c.running ? 2e13 : 0) + (c.startedAt ? Date.parse(c.startedAt) : 0);
}
