import type { ShoalEvent } from '../../src/api/events.js';
import type { ShoalClient } from '../../src/client/shoal-client.js';

/**
 * Where a Shoal convergence spends its time, from the manager's own event stream (replayed after
 * the measurement, so tracing costs the measured run nothing). Each task.state event carries the
 * time of the store commit that recorded the state; agents batch reports (50 ms) and the
 * dispatcher batches writes (20 ms), so a state can be recorded a little after it happened.
 */
export interface PhaseTrace {
  /** Times (ms after the create request) at which the last task reached each step. */
  lastCreated: number | undefined;
  lastAssigned: number | undefined;
  /** The agent has the assignment (accepted or preparing reported). */
  lastAccepted: number | undefined;
  /** Container created, start requested (starting reported). */
  lastStarting: number | undefined;
  lastRunning: number | undefined;
  /** Mean per-task durations between steps. */
  meanAssignedToAccepted: number | undefined;
  meanAcceptedToStarting: number | undefined;
  meanStartingToRunning: number | undefined;
  /** Store commits that changed the service's tasks. */
  commits: number;
}

interface Steps {
  created?: number;
  assigned?: number;
  accepted?: number;
  starting?: number;
  running?: number;
}

const stepOf: Record<string, keyof Steps> = {
  pending: 'created',
  new: 'created',
  assigned: 'assigned',
  accepted: 'accepted',
  preparing: 'accepted',
  starting: 'starting',
  running: 'running',
};

export async function traceConvergence(client: ShoalClient, service: string, fromRevision: number, t0Epoch: number): Promise<PhaseTrace> {
  const toRevision = (await client.info()).revision;
  const events: ShoalEvent[] = [];
  const abort = new AbortController();
  // The replay comes at once; the last commit may hold many task events, so stop a moment after
  // reaching it rather than at its first event (or after 10 s when it holds no task change).
  const timer = setTimeout(() => abort.abort(), 10_000);
  let ending: NodeJS.Timeout | undefined;
  try {
    for await (const e of client.events({ since: fromRevision, kind: 'task', signal: abort.signal })) {
      if (e.attributes.service === service) events.push(e);
      if (e.revision >= toRevision) ending ??= setTimeout(() => abort.abort(), 300);
    }
  } finally {
    clearTimeout(timer);
    clearTimeout(ending);
    abort.abort();
  }
  const tasks = new Map<string, Steps>();
  const commits = new Set<number>();
  for (const e of events) {
    if (e.action !== 'task.state') continue;
    commits.add(e.revision);
    const step = stepOf[String(e.attributes.to)];
    if (!step) continue;
    const steps = tasks.get(e.objectId) ?? {};
    const at = Date.parse(e.time) - t0Epoch;
    steps[step] ??= at;
    // A batched report can jump several states in one commit: earlier steps happened by then.
    for (const earlier of ['created', 'assigned', 'accepted', 'starting'] as const) {
      if (earlier === step) break;
      steps[earlier] ??= at;
    }
    tasks.set(e.objectId, steps);
  }
  const all = [...tasks.values()];
  const last = (k: keyof Steps): number | undefined => (all.every((s) => s[k] !== undefined) && all.length > 0 ? Math.max(...all.map((s) => s[k] ?? 0)) : undefined);
  const mean = (a: keyof Steps, b: keyof Steps): number | undefined => {
    const d = all.flatMap((s) => (s[a] !== undefined && s[b] !== undefined ? [(s[b] ?? 0) - (s[a] ?? 0)] : []));
    return d.length ? d.reduce((x, y) => x + y, 0) / d.length : undefined;
  };
  return {
    lastCreated: last('created'),
    lastAssigned: last('assigned'),
    lastAccepted: last('accepted'),
    lastStarting: last('starting'),
    lastRunning: last('running'),
    meanAssignedToAccepted: mean('assigned', 'accepted'),
    meanAcceptedToStarting: mean('accepted', 'starting'),
    meanStartingToRunning: mean('starting', 'running'),
    commits: commits.size,
  };
}
