import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every run keeps its files under this prefix; the run id is in every name it creates. */
export const runDirPrefix = 'shoal-mh-';

/**
 * What one harness run created, written to RUN_DIR/state.json as it goes, so that teardown (this
 * process, its exit handler, or a later run sweeping a crashed one) removes exactly that.
 */
export interface RunState {
  runId: string;
  ownerPid: number;
  dir: string;
  /** Comment on every iptables rule of the run. */
  ruleComment: string;
  namespaces: string[];
  /** Host-side veth names. */
  veths: string[];
  /** Engines started by the run (never the host's own engine). */
  engines: { name: string; dir: string; socket: string; pid: number; cgroupParent: string }[];
  /** Manager and agent processes, by pid. */
  processes: { pid: number; what: string }[];
  /** Node ids whose containers live on the host's engine (removed by label, nothing else there). */
  hostNodeIds: string[];
}

export function newRunState(runId: string): RunState {
  return {
    runId,
    ownerPid: process.pid,
    dir: join(tmpdir(), `${runDirPrefix}${runId}`),
    ruleComment: `${runDirPrefix}${runId}`,
    namespaces: [],
    veths: [],
    engines: [],
    processes: [],
    hostNodeIds: [],
  };
}

export function saveRunState(state: RunState): void {
  if (existsSync(state.dir)) writeFileSync(join(state.dir, 'state.json'), JSON.stringify(state, null, 2));
}

/** States of earlier runs whose owning process is gone (crashed or SIGKILLed test runs). */
export function orphanedRunStates(): RunState[] {
  const out: RunState[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(runDirPrefix)) continue;
    try {
      const state = JSON.parse(readFileSync(join(tmpdir(), name, 'state.json'), 'utf8')) as RunState;
      if (state.ownerPid !== process.pid && !isAlive(state.ownerPid)) out.push(state);
    } catch {
      // no state file: not a run this harness wrote, or one that created nothing yet
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process, '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
