import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { screenUnholdable, withRefusalMarks, type RefusedService } from '../orchestrator/unholdable.js';
import type { ClusterView, Plan } from '../orchestrator/view.js';
import { ConflictError, type Op, type Store, type WatchHandle } from '../store/store.js';

export interface ReconcileLoopOptions {
  name: string;
  store: Store;
  logger: Logger;
  clock: Clock;
  compute: (view: ClusterView) => Plan;
  /** Runs at least this often even when nothing changes (time-based rules, missed wake-ups). */
  tickMs?: number;
  /**
   * Every loop leaves out stored services it cannot hold (`orchestrator/unholdable.ts`); the one
   * loop that sets this (the orchestrator) also logs them, once per version, and marks them.
   */
  reportRefused?: boolean;
}

/**
 * The shared lifecycle of every control loop: read a snapshot, compute a pure plan, commit it in
 * one transaction. Runs once per store commit (coalesced while a pass is under way), at the
 * plan's wake-up time, and on a slow tick. A failed pass is retried, never dropped.
 */
export class ReconcileLoop {
  private watch: WatchHandle | undefined;
  private running = false;
  private again = false;
  private stopped = true;
  private wake: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private tick: NodeJS.Timeout | undefined;
  private idle: Promise<void> = Promise.resolve();
  private failures = 0;
  /** Refused services already logged, by id and reason: once, not every pass (nor again after the mark is written). */
  private readonly logged = new Set<string>();

  constructor(private readonly options: ReconcileLoopOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    // The audit log's own commits change nothing a plan is computed from; waking on them would
    // double the passes of a busy cluster.
    this.watch = this.options.store.watch(await this.options.store.revision(), (batch) => {
      if (batch.changes.some((c) => c.kind !== 'audit')) this.trigger();
    });
    this.tick = setInterval(() => this.trigger(), this.options.tickMs ?? 2000);
    this.trigger();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.close();
    clearInterval(this.tick);
    clearTimeout(this.wake);
    await this.idle;
  }

  /** Requests a pass; several requests during one pass cause one more pass, not many. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = this.runPasses();
  }

  private async runPasses(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }

  private async pass(): Promise<void> {
    const { store, clock, compute, name, logger } = this.options;
    try {
      const [services, tasks, nodes] = await Promise.all([
        store.list<ServiceObject>('service'),
        store.list<TaskObject>('task'),
        store.list<NodeObject>('node'),
      ]);
      const now = clock.now();
      const screened = screenUnholdable({ services, tasks, nodes, now, newId: () => newId() });
      let plan = compute(screened.view);
      if (this.options.reportRefused) {
        this.logRefused(screened.refused);
        plan = withRefusalMarks(plan, screened, now);
      }
      const ops = opsOf(plan);
      if (ops.length > 0) await store.commit(ops, { actor: name });
      this.failures = 0;
      this.scheduleWake(plan.wakeAt);
    } catch (err) {
      if (err instanceof ConflictError) {
        // Someone wrote meanwhile: their commit triggers another pass over fresh state.
        this.again = true;
        return;
      }
      this.failures++;
      const delay = Math.min(5000, 100 * 2 ** Math.min(this.failures, 6));
      logger.error({ err, loop: name, retryInMs: delay }, 'reconcile pass failed; retrying');
      this.scheduleWake(clock.now() + delay);
    }
  }

  private logRefused(refused: RefusedService[]): void {
    for (const { service, reason } of refused) {
      const key = `${service.id} ${reason}`;
      if (this.logged.has(key)) continue;
      this.logged.add(key);
      this.options.logger.error(
        { loop: this.options.name, serviceId: service.id, service: service.name, env: service.env, reason },
        'refusing to act on a stored service beyond the hard limits; its tasks are left as they are until "shoal service update" or "scale" brings it within them',
      );
    }
  }

  private scheduleWake(at: number | undefined): void {
    if (at === undefined || this.stopped) return;
    const now = this.options.clock.now();
    if (at >= this.wakeAt && this.wakeAt > now) return;
    clearTimeout(this.wake);
    this.wakeAt = at;
    this.wake = setTimeout(() => {
      this.wakeAt = Infinity;
      this.trigger();
    }, Math.max(0, at - now) + 5);
  }
}

export function opsOf(plan: Plan): Op[] {
  return [
    ...plan.updateServices.map((s): Op => ({ op: 'put', kind: 'service', value: s, expectVersion: s.version })),
    ...plan.createTasks.map((t): Op => ({ op: 'create', kind: 'task', value: t })),
    ...plan.updateTasks.map((t): Op => ({ op: 'put', kind: 'task', value: t, expectVersion: t.version })),
    ...plan.deleteTasks.map((t): Op => ({ op: 'delete', kind: 'task', id: t.id, expectVersion: t.version })),
  ];
}
