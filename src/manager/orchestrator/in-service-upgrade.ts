import type { InServiceUpgrade, ServiceObject, TaskObject } from '../../api/objects.js';
import { isTerminal, stateRank } from '../../api/task-state.js';
import { iso } from '../../lib/clock.js';
import { PlanBuilder } from './plan-builder.js';
import { groupBy } from './task-index.js';
import { newTask, withDesired } from './task-factory.js';
import type { ClusterView, Plan } from './view.js';

const assignedRank = stateRank('assigned');

/**
 * Rancher-style in-service upgrades (`ServiceObject.upgrade`), one phase per pass:
 * - `upgrading`: the old tasks are stopped with `keepContainer`, so the agent keeps their
 *   containers and the reaper their records; the replicated step then fills the emptied slots
 *   from the new spec (this step runs before it) and the rolling updater reports progress.
 * - `confirming`: the kept tasks are marked `remove` (the agent removes their containers).
 * - `rolling_back`: once every kept task has ended, the upgrade's tasks are removed, the spec
 *   goes back, and each kept container is started again by a new task that adopts it
 *   (`adoptContainerId`) on its node, in its slot. Tasks only move forward: the old records stay
 *   ended, the containers live on under new tasks.
 */
export function reconcileInServiceUpgrades(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const upgrading = view.services.filter((s) => s.upgrade && s.upgrade.state !== 'upgraded');
  if (upgrading.length === 0) return plan.build();
  const byService = groupBy(view.tasks, (t) => t.serviceId);
  for (const service of upgrading) {
    const upgrade = service.upgrade as InServiceUpgrade;
    const tasks = byService.get(service.id) ?? [];
    if (upgrade.state === 'upgrading') stopAndKeep(view, plan, service, upgrade, tasks);
    else if (upgrade.state === 'confirming') confirm(view, plan, service, tasks);
    else rollBack(view, plan, service, upgrade, tasks);
  }
  return plan.build();
}

function stopAndKeep(view: ClusterView, plan: PlanBuilder, service: ServiceObject, upgrade: InServiceUpgrade, tasks: TaskObject[]): void {
  const kept: string[] = [];
  for (const t of tasks) {
    if (t.desiredState !== 'running' || t.specVersion >= upgrade.specVersion) continue;
    // A task never given to a node has no container worth keeping.
    const keep = stateRank(t.status.state) >= assignedRank;
    const stopped = withDesired(t, 'shutdown', view.now);
    if (keep) {
      stopped.keepContainer = true;
      kept.push(t.id);
    }
    plan.update(stopped);
  }
  plan.updateService({ ...service, upgrade: { ...upgrade, state: 'upgraded', keptTaskIds: [...upgrade.keptTaskIds, ...kept] } });
}

function confirm(view: ClusterView, plan: PlanBuilder, service: ServiceObject, tasks: TaskObject[]): void {
  for (const t of tasks) {
    if (!t.keepContainer) continue;
    const removed = withDesired(t, 'remove', view.now);
    delete removed.keepContainer;
    plan.update(removed);
  }
  plan.updateService(withoutUpgrade(service));
}

function rollBack(view: ClusterView, plan: PlanBuilder, service: ServiceObject, upgrade: InServiceUpgrade, tasks: TaskObject[]): void {
  const kept = tasks.filter((t) => t.keepContainer);
  // A kept task may still be stopping (rollback right after the upgrade): its container is
  // handed over only once it has ended; that report triggers the next pass.
  if (kept.some((t) => !isTerminal(t.status.state))) return;
  for (const t of tasks) {
    if (t.keepContainer || t.desiredState === 'remove' || t.specVersion < upgrade.specVersion) continue;
    plan.update(withDesired(t, 'remove', view.now));
  }
  const time = iso(view.now);
  const specVersion = service.specVersion + 1;
  const next: ServiceObject = {
    ...withoutUpgrade(service),
    spec: upgrade.previousSpec,
    previousSpec: service.spec,
    specVersion,
    updatedAt: time,
    updateStatus: { state: 'rollback_started', startedAt: time, message: 'in-service upgrade rolled back', targetSpecVersion: specVersion },
  };
  if (upgrade.previousFileVersions) next.fileVersions = { ...upgrade.previousFileVersions };
  else delete next.fileVersions;
  plan.updateService(next);
  for (const old of kept) {
    const released = withDesired(old, 'shutdown', view.now);
    delete released.keepContainer;
    plan.update(released);
    const containerId = old.status.containerId;
    // Without a container, or in a slot the previous spec no longer has, the replicated step decides.
    if (!containerId || old.nodeId === undefined) continue;
    if (old.slot !== undefined && (next.spec.mode !== 'replicated' || old.slot > next.spec.replicas)) continue;
    const task = newTask(view, next, {
      ...(old.slot !== undefined ? { slot: old.slot } : {}),
      nodeId: old.nodeId,
      message: `restarting the kept container of task ${old.id}`,
    });
    task.adoptContainerId = containerId;
    task.adoptFromTaskId = old.id;
    // The container mounts the files the old task was given.
    if (old.fileVersions) task.fileVersions = { ...old.fileVersions };
    else delete task.fileVersions;
    plan.create(task);
  }
}

function withoutUpgrade(service: ServiceObject): ServiceObject {
  const next = { ...service };
  delete next.upgrade;
  return next;
}
