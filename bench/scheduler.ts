/**
 * Scheduler and orchestrator micro-benchmark: the pure `reconcile` and `schedule` functions on
 * synthetic views (no store, no Docker, no timers), plus what a control loop pays around them to
 * read a snapshot of the same size from the SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskObject } from '../src/api/objects.js';
import { reconcile } from '../src/manager/orchestrator/reconcile.js';
import type { ClusterView, Plan } from '../src/manager/orchestrator/view.js';
import { schedule } from '../src/manager/scheduler/schedule.js';
import { SqliteStore } from '../src/manager/store/sqlite-store.js';
import { onCleanup } from './lib/cleanup.js';
import { makeNodes, makeServices, makeTasks, makeView } from './lib/fixtures.js';
import { summarize, type Summary } from './lib/stats.js';

export interface MicroRow {
  pass: string;
  nodes: number;
  tasks: number;
  ms: Summary;
  /** Tasks placed or created per second, for the passes that place or create. */
  tasksPerSec: number | undefined;
  /** Objects in the plan: a sanity check that the pass did its work. */
  planSize: number;
}

const services = 10;

export async function schedulerMicro(opts: { nodes: number[]; tasks: number[]; runs: number }): Promise<MicroRow[]> {
  const rows: MicroRow[] = [];
  for (const nodeCount of opts.nodes) {
    const nodes = makeNodes(nodeCount);
    for (const taskCount of opts.tasks) {
      const svcs = makeServices(services, taskCount);
      const pending = makeTasks(svcs, nodes, 'pending');
      const running = makeTasks(svcs, nodes, 'running');
      const cases: [string, ClusterView, boolean][] = [
        ['reconcile: create tasks for new services', makeView({ services: svcs, nodes, tasks: [] }), true],
        ['schedule: place pending tasks', makeView({ services: svcs, nodes, tasks: pending }), true],
        ['reconcile: steady state (all running)', makeView({ services: svcs, nodes, tasks: running }), false],
        ['schedule: steady state (all running)', makeView({ services: svcs, nodes, tasks: running }), false],
      ];
      for (const [pass, view, places] of cases) {
        const fn = pass.startsWith('reconcile') ? reconcile : schedule;
        const { summary, plan } = timePasses(() => fn({ ...view, newId: makeView(view).newId }), opts.runs);
        const size = plan.createTasks.length + plan.updateTasks.length + plan.deleteTasks.length + plan.updateServices.length;
        if (places && size < taskCount) throw new Error(`${pass}: the plan holds ${size} changes, expected ${taskCount}`);
        rows.push({ pass, nodes: nodeCount, tasks: taskCount, ms: summary, tasksPerSec: places ? taskCount / (summary.median / 1000) : undefined, planSize: size });
      }
    }
  }
  rows.push(...(await storeMicro(opts.tasks, opts.runs)));
  return rows;
}

function timePasses(pass: () => Plan, runs: number): { summary: Summary; plan: Plan } {
  let plan = pass(); // warm-up (JIT), not counted
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    plan = pass();
    samples.push(performance.now() - t0);
  }
  return { summary: summarize(samples), plan };
}

/** What every loop pass reads before computing: the snapshot, from SQLite (WAL, on disk). */
async function storeMicro(taskCounts: number[], runs: number): Promise<MicroRow[]> {
  const rows: MicroRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-store-'));
  const undo = onCleanup(`temp dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  try {
    for (const count of taskCounts) {
      const store = new SqliteStore(join(dir, `store-${count}.db`));
      try {
        const tasks: TaskObject[] = makeTasks(makeServices(services, count), makeNodes(100), 'running');
        const commits: number[] = [];
        for (let i = 0; i <= runs; i++) {
          // Each round writes the same tasks again (put), as a status batch or a scheduling pass would.
          const t0 = performance.now();
          await store.commit(tasks.map((value) => ({ op: 'put', kind: 'task', value })), { actor: 'bench' });
          if (i > 0) commits.push(performance.now() - t0);
        }
        const lists: number[] = [];
        for (let i = 0; i <= runs; i++) {
          const t0 = performance.now();
          const got = await store.list('task');
          if (i > 0) lists.push(performance.now() - t0);
          if (got.length !== count) throw new Error(`store list returned ${got.length} tasks, expected ${count}`);
        }
        const commit = summarize(commits);
        const list = summarize(lists);
        rows.push({ pass: 'store: commit (put) every task, SQLite', nodes: 0, tasks: count, ms: commit, tasksPerSec: count / (commit.median / 1000), planSize: count });
        rows.push({ pass: 'store: list every task, SQLite', nodes: 0, tasks: count, ms: list, tasksPerSec: count / (list.median / 1000), planSize: count });
      } finally {
        await store.close();
      }
    }
  } finally {
    await undo();
  }
  return rows;
}
