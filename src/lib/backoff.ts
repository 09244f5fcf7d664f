/**
 * Exponential backoff with full jitter: the delay before attempt n is random in
 * [base*2^n / 2, base*2^n], capped at `maxMs`. Half-jitter keeps reconnect storms of many
 * agents spread out without ever retrying at once after a failure.
 */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Injected for deterministic tests; returns a number in [0, 1). */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 200;
    this.maxMs = options.maxMs ?? 5000;
    this.random = options.random ?? Math.random;
  }

  /** The delay to wait before the next attempt; each call counts as one failed attempt. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  /** Call after a success so the next failure starts from the initial delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
