import { execFile } from 'node:child_process';

/**
 * Runs one command and resolves with its stdout, or rejects with a `CommandFailedError`.
 * Passed in so the same programmer runs on the host (the agent) or inside a network namespace
 * (the tests' simulated nodes), and so unit tests can record commands instead.
 */
export type CommandRunner = (cmd: string, args: readonly string[]) => Promise<string>;

export class CommandFailedError extends Error {
  readonly command: string;
  readonly stderr: string;
  readonly exitCode: number | undefined;

  constructor(command: string, stderr: string, exitCode: number | undefined) {
    super(`${command} failed${exitCode !== undefined ? ` (exit ${exitCode})` : ''}: ${stderr.trim() || 'no output'}`);
    this.name = 'CommandFailedError';
    this.command = command;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

function execRunner(prefix: readonly string[], timeoutMs: number): CommandRunner {
  return (cmd, args) =>
    new Promise((resolve, reject) => {
      const [file, ...pre] = [...prefix, cmd];
      execFile(file ?? cmd, [...pre, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const code = typeof err.code === 'number' ? err.code : undefined;
        // ENOENT and the like: the tool itself is missing, which the message must say.
        const detail = stderr || (typeof err.code === 'string' ? `${err.code}: ${err.message}` : err.message);
        reject(new CommandFailedError([cmd, ...args].join(' '), detail, code));
      });
    });
}

/** Commands in the agent's own network namespace. */
export function hostRunner(timeoutMs = 10_000): CommandRunner {
  return execRunner([], timeoutMs);
}

/**
 * Commands inside the named network namespace (`/run/netns/NAME`, as `ip netns add` makes).
 * `nsenter --net` rather than `ip netns exec`, which also remounts /sys (see infra notes).
 */
export function netnsRunner(name: string, timeoutMs = 10_000): CommandRunner {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad network namespace name: ${name}`);
  return execRunner(['nsenter', `--net=/run/netns/${name}`, '--'], timeoutMs);
}
