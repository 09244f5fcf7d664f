import type { TaskStatusUpdate } from '../../api/agent-protocol.js';

/**
 * Collects status updates and hands them over as one batch every `delayMs`, so that a burst
 * of transitions (one task through five states, or a hundred tasks at once) costs the
 * manager one message and one store transaction instead of many. Order is kept: the manager
 * applies forward moves only, so intermediate states still count (e.g. when a task first ran).
 */
export class StatusBatcher {
  private queue: TaskStatusUpdate[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (updates: TaskStatusUpdate[]) => void,
    private readonly delayMs = 50,
  ) {}

  add(update: TaskStatusUpdate): void {
    this.queue.push(update);
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.send(batch);
  }

  /** Drops what is queued: the next hello carries the latest status of every task anyway. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
  }
}
