import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { EmbeddedCluster } from './embedded-cluster.js';

const repo = new URL('../..', import.meta.url).pathname;
// Resolved once here: a CLI run in another directory (as a user would run it beside their
// compose files) does not find `tsx` by name.
const tsx = import.meta.resolve('tsx');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/** Runs the `shoal` CLI as a process, pointed at the cluster with its admin credential. */
export function runShoal(cluster: Pick<EmbeddedCluster, 'url' | 'cliConfig'>, args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', tsx, join(repo, 'src/cli/main.ts'), ...args], {
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      env: { ...process.env, SHOAL_HOST: cluster.url, SHOAL_CONFIG: cluster.cliConfig, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
