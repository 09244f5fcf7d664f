import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { iso, ms } from '../../lib/clock.js';
import { PlanBuilder } from '../orchestrator/plan-builder.js';
import type { ClusterView, Plan } from '../orchestrator/view.js';
import { colocationWait } from './colocation-filter.js';
import { dependencyWait } from './dependency-gate.js';
import type { Filter, FilterContext, ServiceRef } from './filter.js';
import type { NodeInfo } from './node-info.js';
import { buildNodeInfos, publishedPorts, reserve } from './node-info.js';
import { nodesByEnvironment } from './environment-pool.js';
import type { Rejections } from './pipeline.js';
import { countRejections, dynamicFilters, firstRejection, pendingReason, staticFilters } from './pipeline.js';
import { parseConstraints } from './placement.js';
import { NodeHeap } from './node-heap.js';
import { ServiceDirectory } from './service-directory.js';
import type { NodeScore } from './scoring.js';
import { isBetter, isCurrent, scoreOf } from './scoring.js';
import { SpreadState } from './spread.js';

/**
 * Candidates of one spread leaf (all candidates when the service has no preference), best on
 * top. Scores only rise during a pass, so a stale score is a lower bound and is refreshed when
 * it reaches the top; a node a dynamic filter rejects stays rejected for the rest of the pass.
 * This keeps a pass near O(tasks × log nodes) instead of scanning every node for every task.
 */
interface Leaf {
  sample: NodeInfo;
  heap: NodeHeap;
}

/** Tasks of one service version (and preset node) share filters, candidates and failure. */
interface TaskGroup {
  ctx: FilterContext;
  /** Nodes past the static filters. */
  candidates: NodeInfo[];
  leaves: Leaf[];
  staticRejections: Rejections;
  dynamic: readonly Filter[];
  spread: SpreadState | undefined;
  /** Placements only consume capacity, so once one task of a group fits nowhere, none will. */
  failure?: string;
}

/**
 * Places pending tasks. A new task of a service with `dependsOn` waits first for its
 * dependencies (`dependency-gate.ts`). Each task goes to the best node that passes every
 * filter; capacity taken by earlier placements of the same pass counts. A task that fits
 * nowhere keeps waiting with a reason built from the filters' explanations.
 */
export function schedule(view: ClusterView): Plan {
  const plan = new PlanBuilder();
  const infos = buildNodeInfos(view.nodes, view.tasks);
  const byEnv = nodesByEnvironment(infos.values());
  const groups = new Map<string, TaskGroup>();
  const spreads = new Map<string, SpreadState>();
  // Built only when some task waits to be placed: a steady-state pass stays O(pending).
  let directory: ServiceDirectory | undefined;
  const services = (): ServiceDirectory => (directory ??= new ServiceDirectory(view.services, view.tasks));
  const waits = new Map<string, string | undefined>();
  const now = iso(view.now);

  const ready: TaskObject[] = [];
  for (const t of view.tasks) {
    if (t.status.state !== 'pending' || t.desiredState !== 'running') continue;
    const notBefore = t.notBefore === undefined ? 0 : ms(t.notBefore);
    if (notBefore > view.now) plan.wake(notBefore);
    else ready.push(t);
  }
  // Oldest first, so a burst of new tasks cannot starve tasks that have waited longer.
  ready.sort((a, b) => (a.createdAt === b.createdAt ? cmp(a.id, b.id) : cmp(a.createdAt, b.createdAt)));

  for (const task of ready) {
    // Dependencies are judged on the snapshot: what this pass places has not started yet.
    const waitKey = `${task.serviceId}\u0000${task.specVersion}\u0000${task.restartOf === undefined ? 'new' : 'restart'}`;
    if (!waits.has(waitKey)) waits.set(waitKey, dependencyWait(task, services()));
    const wait = waits.get(waitKey);
    if (wait !== undefined) {
      keepPending(plan, task, wait);
      continue;
    }
    const key = `${task.serviceId}\u0000${task.specVersion}\u0000${task.nodeId ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = makeGroup(task, infos, byEnv.get(task.env) ?? [], spreads, services())));
    if (group.failure !== undefined) {
      keepPending(plan, task, group.failure);
      continue;
    }
    const target = pick(group, task);
    if (target) {
      const assigned: TaskObject = {
        ...task,
        nodeId: target.node.id,
        updatedAt: now,
        status: { state: 'assigned', message: 'scheduler assigned task to node', timestamp: now },
      };
      plan.update(assigned);
      reserve(target, assigned);
      group.spread?.add(target.node);
      continue;
    }
    const reason = explain(group, task);
    if (task.nodeId === undefined) group.failure = reason;
    keepPending(plan, task, reason);
  }
  return plan.build();
}

function makeGroup(
  task: TaskObject,
  infos: Map<string, NodeInfo>,
  envInfos: NodeInfo[],
  spreads: Map<string, SpreadState>,
  directory: ServiceDirectory,
): TaskGroup {
  const spec = task.spec;
  const ref = (s: ServiceObject | undefined, name: string): ServiceRef => ({ name, serviceId: s?.id });
  const colocateWith = spec.placement.colocateWith.map((name) => ref(directory.find(task.env, name), name));
  const avoid = new Map<string, ServiceRef>();
  for (const name of spec.placement.avoid) {
    const s = directory.find(task.env, name);
    if (s) avoid.set(s.id, ref(s, name));
  }
  for (const s of directory.avoiding(task.env, task.serviceName)) avoid.set(s.id, ref(s, s.name));
  const ctx: FilterContext = {
    env: task.env,
    nodeCount: envInfos.length,
    demand: {
      serviceId: task.serviceId,
      nanoCpus: spec.resources.reservations.nanoCpus,
      memoryBytes: spec.resources.reservations.memoryBytes,
      ports: publishedPorts(spec.ports),
      constraints: parseConstraints(spec.placement.constraints),
      maxReplicasPerNode: spec.mode === 'replicated' ? spec.placement.maxReplicasPerNode : 0,
      colocateWith,
      avoid: [...avoid.values()],
    },
  };
  // A global task was made for one node: only that node is judged, and only in the task's environment.
  const own = task.nodeId === undefined ? undefined : infos.get(task.nodeId);
  const pool = task.nodeId === undefined ? envInfos : own && own.node.env === task.env ? [own] : [];
  const staticRejections: Rejections = new Map();
  const candidates = pool.filter((info) => {
    const f = firstRejection(staticFilters, info, task, ctx);
    if (f) staticRejections.set(f, (staticRejections.get(f) ?? 0) + 1);
    return f === undefined;
  });
  const group: TaskGroup = {
    ctx,
    candidates,
    leaves: [],
    staticRejections,
    dynamic: dynamicFilters.filter((f) => f.appliesTo?.(ctx) ?? true),
    spread: undefined,
  };
  if (task.nodeId !== undefined && pool.length === 0) {
    group.failure = `no suitable node (node ${task.nodeId} is not ${own ? `in environment "${task.env}"` : 'in the cluster'})`;
  } else if (candidates.length === 0 && colocateWith.length > 0) {
    // Not a matter of a better node: the service to share one with has no task anywhere yet.
    const wait = colocationWait(colocateWith, envInfos);
    if (wait !== undefined) group.failure = wait;
  }
  const prefs = spec.placement.preferences;
  if (prefs.length > 0 && task.nodeId === undefined) {
    // Shared by every version of the service, so an update's tasks spread together with the old ones.
    const spreadKey = `${task.serviceId}\u0000${prefs.map((p) => p.spread).join('\u0000')}`;
    let spread = spreads.get(spreadKey);
    if (!spread) spreads.set(spreadKey, (spread = new SpreadState(prefs, task.serviceId, envInfos)));
    group.spread = spread;
  }
  const byLeaf = new Map<string, NodeInfo[]>();
  for (const info of candidates) {
    const leaf = group.spread?.leafOf(info.node) ?? '';
    const list = byLeaf.get(leaf);
    if (list) list.push(info);
    else byLeaf.set(leaf, [info]);
  }
  for (const infos of byLeaf.values()) {
    const [sample] = infos;
    if (sample) group.leaves.push({ sample, heap: new NodeHeap(infos.map((i) => scoreOf(i, task.serviceId))) });
  }
  return group;
}

/** The best node for the task, or undefined; the chosen node's stale score is refreshed later. */
function pick(group: TaskGroup, task: TaskObject): NodeInfo | undefined {
  const { spread } = group;
  // Leaves holding fewer of the service's tasks come first; equal leaves compete on node score.
  const leaves = spread ? [...group.leaves].sort((a, b) => spread.compare(a.sample.node, b.sample.node)) : group.leaves;
  let chosen: { leaf: Leaf; score: NodeScore } | undefined;
  for (const leaf of leaves) {
    if (chosen && spread && spread.compare(leaf.sample.node, chosen.leaf.sample.node) > 0) break;
    const score = bestOf(leaf, group, task);
    if (score && (!chosen || isBetter(score, chosen.score))) chosen = { leaf, score };
  }
  if (!chosen) return undefined;
  chosen.leaf.heap.pop();
  // Back in with its score after this placement; reserve() runs before the next pick reads it.
  chosen.leaf.heap.push({ ...chosen.score, serviceTasks: chosen.score.serviceTasks + 1, totalTasks: chosen.score.totalTasks + 1 });
  return chosen.score.info;
}

function bestOf(leaf: Leaf, group: TaskGroup, task: TaskObject): NodeScore | undefined {
  const serviceId = group.ctx.demand.serviceId;
  for (let top = leaf.heap.peek(); top; top = leaf.heap.peek()) {
    if (group.dynamic.length > 0 && firstRejection(group.dynamic, top.info, task, group.ctx)) {
      leaf.heap.pop();
      continue;
    }
    if (isCurrent(top, serviceId)) return top;
    leaf.heap.pop();
    leaf.heap.push(scoreOf(top.info, serviceId));
  }
  return undefined;
}

function explain(group: TaskGroup, task: TaskObject): string {
  if (group.failure !== undefined) return group.failure;
  const rejections = countRejections(group.dynamic, group.candidates, task, group.ctx, new Map(group.staticRejections));
  return pendingReason(rejections, task, group.ctx);
}

/** Rewrites the task only when its reason changed, so waiting tasks cause no store churn. */
function keepPending(plan: PlanBuilder, task: TaskObject, reason: string): void {
  if (task.status.pendingReason === reason) return;
  plan.update({ ...task, status: { ...task.status, pendingReason: reason } });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
