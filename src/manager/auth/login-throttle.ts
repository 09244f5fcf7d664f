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
  /** Failed attempts plus attempts still being checked. */
  attempts: number;
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
 *
 * An attempt is counted when it starts, before the (slow, asynchronous) password check: were it
 * counted only when the check fails, any number of concurrent guesses would all pass the limit
 * check while the first ones were still being hashed. A success gives its count back.
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

  /**
   * Runs one password check under the limits: refused with `resource_exhausted` when the account
   * or the address has no attempt left, otherwise counted before `check` starts. An
   * `unauthenticated` failure keeps the count; a success clears the account's count; any other
   * failure (the store, bad input) is given back, as it was no guess.
   */
  async attempt<T>(username: string, address: string, check: () => Promise<T>): Promise<T> {
    const reserved = this.reserve(username, address);
    try {
      const result = await check();
      this.release(reserved);
      this.counters.delete(`account:${username}`);
      return result;
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'unauthenticated')) this.release(reserved);
      throw err;
    }
  }

  /** Checks the limits and counts one attempt, synchronously, so no concurrent attempt slips between the two. */
  private reserve(username: string, address: string): [string, Counter][] {
    const keys = this.keys(username, address);
    for (const [key, limit, what] of keys) {
      const c = this.current(key);
      if (c && c.attempts >= limit) {
        const retryS = Math.max(1, Math.ceil((c.windowStart + this.windowMs - this.now()) / 1000));
        throw new ShoalError('resource_exhausted', `too many failed logins ${what}; retry in ${retryS} s`);
      }
    }
    if (this.counters.size >= maxEntries) this.prune();
    return keys.map(([key]) => {
      const c = this.current(key) ?? { attempts: 0, windowStart: this.now() };
      c.attempts += 1;
      this.counters.set(key, c);
      return [key, c];
    });
  }

  /** Gives back the attempts `reserve` counted, unless their window ended meanwhile (a new counter is not ours to lower). */
  private release(reserved: [string, Counter][]): void {
    for (const [key, c] of reserved) {
      if (this.counters.get(key) !== c) continue;
      c.attempts -= 1;
      if (c.attempts <= 0) this.counters.delete(key);
    }
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
