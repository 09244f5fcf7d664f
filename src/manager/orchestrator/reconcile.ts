import { applyPlan } from './apply-plan.js';
import { reconcileGlobal } from './global.js';
import { reconcileInServiceUpgrades } from './in-service-upgrade.js';
import { reconcileNodeAvailability } from './node-availability.js';
import { PlanBuilder } from './plan-builder.js';
import { reapTasks } from './reaper.js';
import { reconcileRemovedServices } from './removed-services.js';
import { reconcileReplicated } from './replicated.js';
import { reconcileRestarts } from './restart.js';
import { releaseWaitingTasks } from './stop-first-gate.js';
import { reconcileUpdates } from './update.js';
import { reconcileUnassignedShutdown } from './unassigned-shutdown.js';
import type { ClusterView, Plan } from './view.js';

export { applyPlan } from './apply-plan.js';

export type ReconcileStep = (view: ClusterView) => Plan;

/**
 * The order matters: tasks leave bad nodes before anything counts slots; an in-service upgrade
 * stops (and keeps) old tasks, or places the tasks adopting kept containers, before the global,
 * restart and replicated steps look at the slots; global eligibility runs before restarts so a
 * task on a drained node is not restarted there; restarts fill their own slots before the
 * replicated step would create fresh tasks in them; the updater sees the slots as they will be
 * (an upgrade's global tasks already exist, so it does not finish at once); stop requests are
 * finished for unassigned tasks before the stop-first gate looks for empty slots; the reaper
 * sees the final state.
 */
export const reconcileSteps: ReadonlyArray<readonly [string, ReconcileStep]> = [
  ['removed-services', reconcileRemovedServices],
  ['node-availability', reconcileNodeAvailability],
  ['in-service-upgrade', reconcileInServiceUpgrades],
  ['global', reconcileGlobal],
  ['restart', reconcileRestarts],
  ['replicated', reconcileReplicated],
  ['update', reconcileUpdates],
  ['unassigned-shutdown', reconcileUnassignedShutdown],
  ['stop-first-gate', releaseWaitingTasks],
  ['reaper', reapTasks],
];

/**
 * Runs every step over a view that already holds the previous steps' changes, and merges their
 * plans so each task appears once: the whole pass commits as one transaction.
 */
export function reconcile(view: ClusterView): Plan {
  const merged = new PlanBuilder();
  let current = view;
  for (const [, step] of reconcileSteps) {
    const plan = step(current);
    merged.merge(plan);
    current = applyPlan(current, plan);
  }
  return merged.build();
}
