import { isInterrupted } from './cleanup.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `probe` every `everyMs` (measured from the start of one probe to the start of the next)
 * until it returns something other than undefined, or throws after `timeoutMs`.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, opts: { everyMs?: number; timeoutMs?: number } = {}): Promise<T> {
  const everyMs = opts.everyMs ?? 50;
  const deadline = performance.now() + (opts.timeoutMs ?? 180_000);
  let lastError: unknown;
  for (;;) {
    if (isInterrupted()) throw new Error(`interrupted while waiting for ${what}`);
    const started = performance.now();
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (performance.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await sleep(Math.max(0, everyMs - (performance.now() - started)));
  }
}

/** Records the first time each named condition held, relative to `t0`. */
export class Phases {
  readonly at = new Map<string, number>();
  constructor(readonly t0: number) {}
  mark(name: string, holds: boolean): void {
    if (holds && !this.at.has(name)) this.at.set(name, performance.now() - this.t0);
  }
  get(name: string): number | undefined {
    return this.at.get(name);
  }
}
