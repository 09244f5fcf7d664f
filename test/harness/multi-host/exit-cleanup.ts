import type { RunState } from './run-state.js';
import { orphanedRunStates } from './run-state.js';
import { teardownRun } from './teardown.js';

const active = new Set<RunState>();
let installed = false;

function teardownAll(): void {
  for (const state of active) {
    const problems = teardownRun(state);
    if (problems.length > 0) process.stderr.write(`multi-host harness: cleanup of run ${state.runId} left: ${problems.join('; ')}\n`);
  }
  active.clear();
}

function onSignal(sig: NodeJS.Signals, code: number): void {
  process.once(sig, () => {
    process.stderr.write(`multi-host harness: ${sig}, removing the cluster(s) of this process\n`);
    teardownAll();
    process.exit(code);
  });
}

/**
 * Tears the run down when this process exits without calling destroy() (a crash, an uncaught
 * error, Ctrl-C). A SIGKILLed test process cannot clean up: the next run sweeps what it left
 * (see sweepOrphanedRuns), since every run records what it creates in its state file.
 */
export function registerForExit(state: RunState): void {
  active.add(state);
  if (installed) return;
  installed = true;
  process.on('exit', teardownAll);
  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);
  onSignal('SIGHUP', 129);
}

export function unregisterForExit(state: RunState): void {
  active.delete(state);
}

/** Removes what runs of dead test processes left behind. Returns the run ids swept. */
export function sweepOrphanedRuns(): string[] {
  const swept: string[] = [];
  for (const state of orphanedRunStates()) {
    const problems = teardownRun(state);
    if (problems.length > 0) process.stderr.write(`multi-host harness: sweeping run ${state.runId} left: ${problems.join('; ')}\n`);
    swept.push(state.runId);
  }
  return swept;
}
