import type { TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskAddress, TaskObject } from '../../api/objects.js';
import { canTransition } from '../../api/task-state.js';
import type { Logger } from '../../lib/logger.js';
import { ConflictError, type Op, type Store } from '../store/store.js';

/**
 * Applies task states reported by agents. Reports are queued and written in one transaction per
 * flush, so a burst of container starts costs one commit, not one per container.
 */
export class StatusWriter {
  private queue: { nodeId: string; update: TaskStatusUpdate }[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly delayMs = 20,
  ) {}

  enqueue(nodeId: string, updates: TaskStatusUpdate[]): void {
    for (const update of updates) this.queue.push({ nodeId, update });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
  }

  /** Writes everything queued so far (waits for a flush already under way first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(batch: { nodeId: string; update: TaskStatusUpdate }[]): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await this.store.commit(await this.opsFor(batch), { actor: 'dispatcher' });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError)) {
          this.logger.error({ err }, 'writing task states failed; will retry');
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    }
    // Never drop what an agent reported: put it back and try again on the next flush.
    this.logger.warn({ tasks: batch.length }, 'task states not written after 5 attempts; requeued');
    this.queue.unshift(...batch);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, 500);
  }

  private async opsFor(batch: { nodeId: string; update: TaskStatusUpdate }[]): Promise<Op[]> {
    const next = new Map<string, TaskObject>();
    for (const { nodeId, update } of batch) {
      const task = next.get(update.taskId) ?? (await this.store.get<TaskObject>('task', update.taskId));
      // A node may only speak for its own tasks, and states never move backwards; a running
      // task's health and addresses may change while its state stays.
      if (!task || task.nodeId !== nodeId) continue;
      const stillRunning = task.status.state === 'running' && update.status.state === 'running';
      const healthOnly = stillRunning && update.status.health !== undefined && update.status.health !== task.status.health;
      const addressesOnly = stillRunning && update.status.addresses !== undefined && !sameAddresses(update.status.addresses, task.status.addresses);
      const inPlace = healthOnly || addressesOnly;
      if (!inPlace && !canTransition(task.status.state, update.status.state)) continue;
      const status = { ...task.status, ...update.status };
      delete status.pendingReason;
      // A container that is not running has no address worth showing (the engine freed it).
      if (update.status.state !== 'running' || status.addresses?.length === 0) delete status.addresses;
      if (update.status.state === 'running' && !inPlace) status.runningSince = update.status.timestamp;
      next.set(task.id, { ...task, status, updatedAt: new Date().toISOString() });
    }
    return [...next.values()].map((t) => ({ op: 'put', kind: 'task', value: t, expectVersion: t.version }));
  }
}

/** Same networks and IPs in the same order: the agent always reports them sorted by network. */
function sameAddresses(a: readonly TaskAddress[], b: readonly TaskAddress[] | undefined): boolean {
  const other = b ?? [];
  return a.length === other.length && a.every((x, i) => x.network === other[i]?.network && x.ip === other[i]?.ip);
}
