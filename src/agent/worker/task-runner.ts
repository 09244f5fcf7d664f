import type { TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskAddress, TaskObject } from '../../api/objects.js';
import { canTransition, isTerminal, stateRank, type TaskState } from '../../api/task-state.js';
import { Backoff } from '../../lib/backoff.js';
import type { Logger } from '../../lib/logger.js';
import { ExecutorError, type ContainerHealth, type ContainerNetworking, type Executor, type ExitResult, type ObservedContainer, type TaskFileMount } from '../exec/executor.js';
import { taskHasFiles, type TaskFileContent } from '../files/resolve-task-files.js';
import type { TaskFileStore } from '../files/task-file-store.js';
import { exitStatus, runningDetails, status, type ObservedStatus } from './task-status.js';
import { confineBinds } from './bind-confinement.js';

/** What the assignments said about a task's secret and config files (see resolveTaskFiles). */
export type OfferedFiles = { files: TaskFileContent[] } | { missing: string };

/** Where a task's container learns its networks and resolver (src/agent/network/). */
export interface TaskNetworkSource {
  forTask(task: TaskObject): Promise<ContainerNetworking>;
  forget(taskId: string): Promise<void>;
  /** The task's container started with these addresses. */
  started(taskId: string, addresses: readonly TaskAddress[]): void;
}

export interface TaskRunnerDeps {
  executor: Executor;
  /** Where the task's secret and config files are written before its container is created. */
  files: TaskFileStore;
  nodeId: string;
  report(update: TaskStatusUpdate): void;
  /** Called once the task left the assignments and its container is gone. */
  onRemoved(taskId: string): void;
  /** True while another task's adopted container still mounts this task's files. */
  filesHeld?(taskId: string): boolean;
  network?: TaskNetworkSource;
  /** The allowed host paths of the node's environment, as the manager last sent them. */
  hostPaths?(): readonly string[];
  logger: Logger;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Drives one task's container toward the task's desired state and reports what it observes,
 * strictly forward. It never restarts a container: a task that ended stays ended (the
 * manager makes a new task). One step runs at a time; `kick()` asks for another pass after
 * any change (new desired state, container exit, retry timer).
 */
export class TaskRunner {
  private task: TaskObject;
  private state: TaskState;
  private last: ObservedStatus | undefined;
  private containerId: string | undefined;
  /** The container was started (by us, or before the agent adopted it). */
  private started = false;
  private exit: ExitResult | undefined;
  /** The exit, when it comes, is our own shutdown and not the task's outcome. */
  private stoppedByUs = false;
  private removed = false;
  private stopped = false;
  private watching = false;
  private readonly watchAbort = new AbortController();
  private loop: Promise<void> | undefined;
  private again = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly retry = new Backoff({ initialMs: 500, maxMs: 10_000 });
  /** File contents waiting for prepare; dropped once written, so secrets stay in memory briefly. */
  private offered: OfferedFiles | undefined;
  private health: ContainerHealth | undefined;
  /** A health change arrived from the watch: newer than what an inspect in flight may say. */
  private healthHeard = false;
  /** The running container's addresses, repeated in every running report so none drops them. */
  private addresses: TaskAddress[] | undefined;

  constructor(
    task: TaskObject,
    private readonly deps: TaskRunnerDeps,
    adopted?: ObservedContainer,
  ) {
    this.task = task;
    this.state = task.status.state;
    if (adopted) this.adopt(adopted);
    // A task adopting a kept, stopped container starts it instead of creating one (a missing
    // container then fails at start, and the restart policy makes a fresh task).
    else if (task.adoptContainerId !== undefined && stateRank(this.state) < stateRank('starting')) this.containerId = task.adoptContainerId;
  }

  /** Another task adopts this task's (ended) container: forget it without touching it. */
  releaseContainer(): void {
    this.containerId = undefined;
    this.watchAbort.abort();
  }

  get taskId(): string {
    return this.task.id;
  }

  /** The task's container on this node, once created or adopted. */
  container(): string | undefined {
    return this.containerId;
  }

  /** The latest status observed here, for the hello that resynchronises the manager. */
  observed(): TaskStatusUpdate | undefined {
    return this.last ? { taskId: this.task.id, status: this.last } : undefined;
  }

  /**
   * The contents of the task's files, from an assignments message. A later message without them
   * (e.g. a desired-state change) never replaces contents already offered.
   */
  offerFiles(offer: OfferedFiles): void {
    if (this.containerId || this.started) return;
    if ('missing' in offer && this.offered && 'files' in this.offered) return;
    this.offered = offer;
  }

  /** True while the task's files are still to be written and no content was offered yet. */
  needsFiles(): boolean {
    return !this.containerId && !this.started && !(this.offered && 'files' in this.offered);
  }

  /** The engine says the container's health changed; a running task reports it. */
  healthChanged(health: ContainerHealth): void {
    this.healthHeard = true;
    this.setHealth(health);
  }

  update(task: TaskObject): void {
    this.task = task;
    // The manager may be ahead of us, e.g. it orphaned the task while this node was cut off.
    if (stateRank(task.status.state) > stateRank(this.state)) this.state = task.status.state;
    this.kick();
  }

  /** The task left the assignments: stop and remove its container, then forget it. */
  markRemoved(): void {
    this.removed = true;
    this.kick();
  }

  /** Stops acting (agent shutdown) and leaves the container as it is, for the next agent to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watchAbort.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.loop;
  }

  kick(): void {
    if (this.stopped) return;
    this.again = true;
    this.loop ??= this.drive();
  }

  private async drive(): Promise<void> {
    for (;;) {
      this.again = false;
      let more = false;
      try {
        more = await this.step();
      } catch (err) {
        this.deps.logger.warn({ err, taskId: this.task.id }, 'task step failed; retrying');
        this.scheduleRetry();
      }
      // Cleared here, synchronously with the last check, so a kick() is never lost.
      if (this.stopped || (!more && !this.again)) {
        this.loop = undefined;
        return;
      }
    }
  }

  /** One action toward the desired state; true when another pass should follow at once. */
  private async step(): Promise<boolean> {
    // An orphaned task was given up while this node was lost and already runs elsewhere: its
    // container is stale, so it goes entirely (the task record stays as history).
    const orphaned = this.task.status.state === 'orphaned';
    const desired = this.removed || orphaned ? 'remove' : this.task.desiredState;
    if (desired === 'running' && !isTerminal(this.state)) return this.towardRunning();
    return this.towardStopped(desired === 'remove');
  }

  private async towardRunning(): Promise<boolean> {
    const { executor, nodeId } = this.deps;
    if (this.exit) {
      this.emit(exitStatus(this.exit, this.containerId));
      return false;
    }
    if (this.started) {
      this.watch();
      return false;
    }
    if (!this.containerId) {
      if (stateRank(this.state) >= stateRank('starting')) {
        const error = 'task: container not found on this node';
        this.emit(status('failed', error, { error }));
        return false;
      }
      this.emit(status('accepted', 'accepted'));
      this.emit(status('preparing', 'preparing'));
      let networking: ContainerNetworking | undefined;
      try {
        networking = await this.deps.network?.forTask(this.task);
      } catch (err) {
        const text = `network: ${errorText(err)}`;
        this.emit(status('failed', text, { error: text }));
        return false;
      }
      const binds = await confineBinds(this.task.spec.mounts ?? [], this.deps.hostPaths?.() ?? []);
      if (typeof binds === 'string') {
        const text = `mounts: ${binds}`;
        this.emit(status('rejected', text, { error: text }));
        return false;
      }
      const mounts = await this.writeFiles();
      if (!mounts) return false;
      try {
        this.containerId = await executor.prepare({ ...this.task, spec: { ...this.task.spec, mounts: binds } }, nodeId, mounts, networking);
      } catch (err) {
        this.emitFailure(err);
        await this.removeFiles();
        return false;
      }
      return true;
    }
    const containerId = this.containerId;
    this.emit(status('starting', 'starting', { containerId }));
    try {
      await executor.start(containerId);
    } catch (err) {
      this.emitFailure(err);
      return false;
    }
    this.started = true;
    // The engine emits no event for the first "starting"; read it once so a task with a
    // health check never looks, even briefly, like one without.
    const seen = await executor.inspect(containerId).catch(() => undefined);
    if (!this.healthHeard && seen?.health) this.health = seen.health;
    this.addresses = seen?.addresses;
    this.deps.network?.started(this.task.id, this.addresses ?? []);
    this.emit(status('running', 'started', this.runningExtra(containerId)));
    this.watch();
    return true;
  }

  /**
   * Writes the task's secret and config files; undefined when the task cannot run (reported as
   * rejected or failed). A task whose contents did not come with the assignment is rejected,
   * naming the secret or config, never any content.
   */
  private async writeFiles(): Promise<TaskFileMount[] | undefined> {
    if (!taskHasFiles(this.task)) return [];
    const offer = this.offered;
    if (!offer || 'missing' in offer) {
      const what = offer && 'missing' in offer ? offer.missing : 'secret and config files';
      const text = `${what}: not sent to this node with the task`;
      this.emit(status('rejected', text, { error: text }));
      return undefined;
    }
    try {
      const mounts = await this.deps.files.write(this.task.id, offer.files);
      this.offered = undefined;
      return mounts;
    } catch (err) {
      this.offered = undefined;
      await this.removeFiles();
      const text = `could not write secret and config files: ${errorText(err)}`;
      this.emit(status('failed', text, { error: text }));
      return undefined;
    }
  }

  private async removeFiles(): Promise<void> {
    try {
      await this.deps.files.remove(this.task.id);
    } catch (err) {
      this.deps.logger.warn({ err, taskId: this.task.id }, 'could not delete task files');
    }
  }

  private setHealth(health: ContainerHealth): void {
    if (health === this.health) return;
    this.health = health;
    const containerId = this.containerId;
    // Only a running task has a health worth reporting; the state itself does not move.
    if (this.state !== 'running' || this.exit || !containerId || this.task.desiredState !== 'running') return;
    this.emit(status('running', `health: ${health}`, this.runningExtra(containerId)), true);
  }

  /** What a running report carries besides its state: container, health and addresses. */
  private runningExtra(containerId: string): Partial<ObservedStatus> {
    return runningDetails({ containerId, health: this.health, addresses: this.addresses });
  }

  private async towardStopped(remove: boolean): Promise<boolean> {
    const { executor } = this.deps;
    const containerId = this.containerId;
    // Also a container never seen to start: a start that failed may have started it all the same
    // (the engine died after passing the request on), and shutdown leaves a stopped one alone.
    if (containerId && !this.exit && !this.stoppedByUs) {
      const spec = this.task.spec;
      await executor.shutdown(containerId, spec.stopSignal, spec.stopGracePeriodMs ?? 10_000);
      this.stoppedByUs = true;
    }
    if (this.exit && !this.stoppedByUs) this.emit(exitStatus(this.exit, containerId));
    else this.emit(status('shutdown', 'shutdown', containerId ? { containerId } : {}));
    if (!remove) return false;
    if (containerId) {
      await executor.remove(containerId);
      this.containerId = undefined;
    }
    // The files live exactly as long as the container that mounts them (an adopted container
    // mounts those of the task that made it).
    this.offered = undefined;
    if (!this.deps.filesHeld?.(this.task.id)) await this.deps.files.remove(this.task.id);
    if (this.task.adoptFromTaskId !== undefined) await this.deps.files.remove(this.task.adoptFromTaskId);
    if (this.removed) {
      this.stopped = true;
      this.watchAbort.abort();
      this.deps.onRemoved(this.task.id);
    }
    return false;
  }

  private adopt(c: ObservedContainer): void {
    this.containerId = c.containerId;
    if (c.health) this.health = c.health;
    if (c.running) this.addresses = c.addresses;
    // A kept container this task has yet to start again: its old exit is not this task's.
    if (!c.running && c.containerId === this.task.adoptContainerId && stateRank(this.state) < stateRank('starting')) return;
    if (c.running) {
      this.started = true;
      if (this.task.desiredState === 'running' && !isTerminal(this.state)) {
        this.emit(status('running', 'started (adopted)', this.runningExtra(c.containerId)), true);
      }
    } else if (c.startedAt) {
      this.started = true;
      this.exit = { exitCode: c.exitCode ?? -1, ...(c.error ? { error: c.error } : {}) };
    }
    // A container created but never started is simply started by the next step.
  }

  private watch(): void {
    const containerId = this.containerId;
    if (this.watching || !containerId || this.stopped) return;
    this.watching = true;
    this.deps.executor.wait(containerId, { signal: this.watchAbort.signal }).then(
      (exit) => {
        this.watching = false;
        this.exit = exit;
        this.kick();
      },
      (err: unknown) => {
        this.watching = false;
        if (this.watchAbort.signal.aborted) return;
        this.deps.logger.warn({ err, taskId: this.task.id }, 'waiting on container failed; checking it');
        this.recheck(containerId);
      },
    );
  }

  /** After a failed wait (engine restarting, container removed behind our back): look again. */
  private recheck(containerId: string): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.deps.executor.inspect(containerId).then(
        (seen) => {
          if (!seen) this.exit = { exitCode: -1, error: 'container removed' };
          else if (!seen.running) this.exit = { exitCode: seen.exitCode ?? -1, ...(seen.error ? { error: seen.error } : {}) };
          this.kick();
        },
        () => this.recheck(containerId),
      );
    }, this.retry.next());
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.retry.next());
  }

  private emitFailure(err: unknown): void {
    const text = errorText(err);
    if (err instanceof ExecutorError && err.kind === 'rejected') this.emit(status('rejected', text, { error: text }));
    else this.emit(status('failed', text, { error: text }));
  }

  /** Reports a forward move (or, with `again`, the current state once more, for adoption). */
  private emit(next: ObservedStatus, again = false): void {
    if (!canTransition(this.state, next.state) && !(again && next.state === this.state)) return;
    this.state = next.state;
    this.last = next;
    this.retry.reset();
    this.deps.report({ taskId: this.task.id, status: next });
  }
}
