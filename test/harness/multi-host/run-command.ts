import { execFile, spawnSync } from 'node:child_process';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command synchronously. Teardown uses this form only, so that the same code runs from
 * `destroy()` and from a process 'exit' handler (which cannot await).
 */
export function runSync(cmd: string, args: string[], timeoutMs = 30_000): CommandResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const status = r.status ?? (r.error ? 127 : 1);
  return { status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? '') };
}

/** Like runSync but throws with the command's stderr when it fails. */
export function mustSync(cmd: string, args: string[], timeoutMs = 30_000): string {
  const r = runSync(cmd, args, timeoutMs);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Asynchronous form for the slow steps of start-up (image loads), so engines load in parallel. */
export function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export const commandExists = (name: string): boolean => runSync('sh', ['-c', `command -v ${name}`]).status === 0;
