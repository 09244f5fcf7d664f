import { ShoalError } from '../../api/errors.js';

export interface LoginThrottleOptions {
  /** Failures allowed per account within the window (default 5). */
  perAccount?: number;
  /** Failures allowed per source address within the window (default 20: several people may share a NAT). */
  perAddress?: number;
  windowMs?: number;
  now?: () => number;
}

interface Counter {
  failures: number;
  windowStart: number;
}

// Bounds memory when someone sprays logins from many addresses or for many usernames.
const maxEntries = 10_000;

/**
 * Slows password guessing: once an account or a source address has too many failed logins in
 * the window, further attempts are refused until the window ends, even with the right password
 * (otherwise guessing would simply continue). The per-account limit lets an attacker lock an
 * account out for one window at most; the per-address limit stops one source from trying many
 * accounts. In memory: a restart forgets the counts, which costs an attacker a window at best.
 */
export class LoginThrottle {
  private readonly counters = new Map<string, Counter>();
  private readonly perAccount: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.perAccount = options.perAccount ?? 5;
    this.perAddress = options.perAddress ?? 20;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Throws `resource_exhausted` when the account or the address may not try now. */
  check(username: string, address: string): void {
    for (const [key, limit, what] of this.keys(username, address)) {
      const c = this.current(key);
      if (c && c.failures >= limit) {
        const retryS = Math.max(1, Math.ceil((c.windowStart + this.windowMs - this.now()) / 1000));
        throw new ShoalError('resource_exhausted', `too many failed logins ${what}; retry in ${retryS} s`);
      }
    }
  }

  recordFailure(username: string, address: string): void {
    if (this.counters.size >= maxEntries) this.prune();
    for (const [key] of this.keys(username, address)) {
      const c = this.current(key) ?? { failures: 0, windowStart: this.now() };
      c.failures += 1;
      this.counters.set(key, c);
    }
  }

  /** A success clears the account's count, not the address's: one valid account must not reset guessing at others. */
  recordSuccess(username: string): void {
    this.counters.delete(`account:${username}`);
  }

  private keys(username: string, address: string): [string, number, string][] {
    return [
      [`account:${username}`, this.perAccount, 'for this account'],
      [`address:${address}`, this.perAddress, 'from this address'],
    ];
  }

  private current(key: string): Counter | undefined {
    const c = this.counters.get(key);
    if (c && this.now() - c.windowStart >= this.windowMs) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  private prune(): void {
    for (const key of [...this.counters.keys()]) this.current(key);
    // Still full of live counters: drop the oldest rather than grow without bound.
    for (const key of this.counters.keys()) {
      if (this.counters.size < maxEntries) break;
      this.counters.delete(key);
    }
  }
}
