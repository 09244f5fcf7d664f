import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { RunState } from './run-state.js';
import { saveRunState } from './run-state.js';
import { shoalMain } from './endpoints.js';
import { repoRoot } from './prerequisites.js';

/**
 * A `shoal manager` or `shoal agent` process, optionally inside a network namespace (through
 * `nsenter --net=`, which execs: the pid is Shoal's own). Output goes to a log file that outlives
 * the process, appended across restarts.
 */
export class ShoalProcess {
  private readonly proc: ChildProcess;
  readonly pid: number;
  readonly startedAt = Date.now();
  readonly exited: Promise<number | null>;

  private constructor(proc: ChildProcess, readonly what: string, readonly logFile: string) {
    this.proc = proc;
    if (proc.pid === undefined) throw new Error(`could not start ${what}`);
    this.pid = proc.pid;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  static start(state: RunState, what: string, args: string[], logFile: string, namespace?: string): ShoalProcess {
    const node = [process.execPath, '--import', 'tsx', shoalMain, ...args];
    const [cmd = '', ...argv] = namespace ? ['nsenter', `--net=/run/netns/${namespace}`, ...node] : node;
    const out = openSync(logFile, 'a');
    // The run's own CLI config: `manager --init` writes the admin credential there, not to the user's.
    const proc = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', out, out], env: { ...process.env, SHOAL_LOG_LEVEL: process.env.SHOAL_LOG_LEVEL ?? 'info', SHOAL_CONFIG: join(state.dir, 'cli-config.json') } });
    closeSync(out);
    const p = new ShoalProcess(proc, what, logFile);
    state.processes.push({ pid: p.pid, what });
    saveRunState(state);
    return p;
  }

  running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends the signal and waits for the exit (SIGKILL after 15 s for gentler signals). */
  async stop(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running()) return;
    this.proc.kill(sig);
    const timer = sig === 'SIGKILL' ? undefined : setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
    await this.exited;
    if (timer) clearTimeout(timer);
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
