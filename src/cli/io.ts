import { homedir } from 'node:os';
import { promptTerminal, readAllStdin } from './prompt/terminal-prompt.js';

/**
 * Everything a command touches outside its arguments, passed in so that tests run commands
 * against strings and a fake manager instead of the real terminal.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal: progress redraws in place only then. */
  isTTY: boolean;
  /** Terminal width, to keep redrawn lines from wrapping. */
  columns?: number;
  env: Record<string, string | undefined>;
  homeDir: string;
  /** Aborts on Ctrl-C or SIGTERM. */
  interrupt: AbortSignal;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Whether stdin is a terminal a password can be asked on. */
  stdinIsTTY?: boolean;
  /** All of stdin (`--password-stdin`). */
  readStdin?(): Promise<string>;
  /** Asks on the terminal; `hidden` input is not echoed. */
  prompt?(question: string, opts: { hidden: boolean }): Promise<string>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The real process. The signal handlers are installed by main, which owns the process. */
export function processIo(interrupt: AbortSignal): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY,
    get columns() {
      return process.stdout.columns;
    },
    env: process.env,
    homeDir: homedir(),
    interrupt,
    now: () => Date.now(),
    sleep,
    stdinIsTTY: process.stdin.isTTY,
    readStdin: readAllStdin,
    prompt: (question, opts) => promptTerminal(question, opts, interrupt),
  };
}
