import type { ServiceObject, TaskObject, UpdateStatus } from '../../api/objects.js';
import type { UpdateConfig } from '../../api/service-spec.js';
import { taskName } from '../../api/objects.js';
import { ms } from '../../lib/clock.js';
import { slotKey } from './task-index.js';

export const isRollback = (s: UpdateStatus): boolean => s.state.startsWith('rollback');

/** The settings that drive the current pass: a rollback moves at the pace of rollbackConfig. */
export const activeConfig = (service: ServiceObject, status: UpdateStatus): UpdateConfig =>
  isRollback(status) ? service.spec.rollbackConfig : service.spec.updateConfig;

/**
 * A task this update (or rollback) produced: it runs the current spec and was made after the
 * update started, by the updater itself or by a restart or scale-up along the way.
 */
export function isNewVersion(t: TaskObject, clean: (t: TaskObject) => boolean, startedAt: number): boolean {
  return ms(t.createdAt) >= startedAt && clean(t);
}

/**
 * A new-version task that failed on its own (failed or rejected; `shutdown` is what our own
 * stop requests end in, `orphaned` is the node's fault) before running or within the monitor
 * period after it started running. A task reported unhealthy (or stopped for it) counts as a
 * failure for as long as the update runs: the engine's health is what a rolling update
 * exists to watch, and the time it first turned healthy is not kept.
 */
export function isMonitoredFailure(t: TaskObject, monitorMs: number): boolean {
  if (t.stoppedUnhealthyAt !== undefined) return true;
  if (t.status.state === 'running' && t.status.health === 'unhealthy') return true;
  const s = t.status.state;
  if (s !== 'failed' && s !== 'rejected') return false;
  if (t.status.runningSince === undefined) return true;
  return ms(t.status.timestamp) - ms(t.status.runningSince) <= monitorMs;
}

export interface FailureReport {
  failures: TaskObject[];
  /** Slots that received at least one new-version task so far. */
  updatedSlots: number;
}

/** Counted from the tasks each pass, so the ratio needs no state kept between passes. */
export function collectFailures(
  tasks: readonly TaskObject[],
  clean: (t: TaskObject) => boolean,
  startedAt: number,
  monitorMs: number,
): FailureReport {
  const slots = new Set<string>();
  const failures: TaskObject[] = [];
  for (const t of tasks) {
    if (!isNewVersion(t, clean, startedAt)) continue;
    slots.add(slotKey(t));
    if (isMonitoredFailure(t, monitorMs)) failures.push(t);
  }
  return { failures, updatedSlots: slots.size };
}

export function exceedsRatio(report: FailureReport, config: UpdateConfig): boolean {
  if (report.failures.length === 0) return false;
  return report.failures.length / Math.max(1, report.updatedSlots) > config.maxFailureRatio;
}

/** "task web.2.abc failed: exit code 1", naming the latest failure. */
export function describeFailure(failures: readonly TaskObject[]): string {
  const latest = [...failures].sort((a, b) => b.status.timestamp.localeCompare(a.status.timestamp))[0];
  if (!latest) return 'no failure';
  if (latest.stoppedUnhealthyAt !== undefined || latest.status.health === 'unhealthy') {
    return `task ${taskName(latest)} unhealthy`;
  }
  const why = latest.status.error ?? latest.status.message;
  return `task ${taskName(latest)} ${latest.status.state}${why ? `: ${why}` : ''}`;
}
