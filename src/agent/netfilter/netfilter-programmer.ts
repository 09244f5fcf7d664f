import { parseOrThrow } from '../../api/validation.js';
import type { CommandRunner } from '../overlay/command-runner.js';
import type { IptablesListing } from './iptables-listing.js';
import { parseIptablesListing } from './iptables-listing.js';
import { iptablesRestore, listTable } from './iptables-restore.js';
import { diffChain, diffRemoval, restoreText } from './netfilter-diff.js';
import type { NetfilterPlan } from './netfilter-plan.js';
import { chainNames, normalisePlan, tagSchema } from './netfilter-plan.js';
import type { ChainRules, IptablesTable } from './netfilter-rules.js';
import { renderNetfilterRules } from './netfilter-rules.js';

export interface NetfilterConvergeResult {
  /** Whether anything had to be written: false when the tables already matched the plan. */
  changed: boolean;
}

/**
 * Keeps this node's iptables rules for the overlay (see `renderNetfilterRules`) equal to a plan.
 * Each `converge` reads both tables back, writes only a table that differs (one atomic
 * `iptables-restore --noflush` per convergence) and reads back again to confirm, so it is safe to
 * call on every change and after a crash or a Docker restart. Only chains named after the tag
 * are flushed; other rules are only ever added to (a missing jump).
 */
export class NetfilterProgrammer {
  private readonly run: CommandRunner;
  // Calls are chained so two quick changes never interleave a read and a write.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(run: CommandRunner) {
    this.run = run;
  }

  // async so a bad plan rejects (ShoalError naming the field) rather than throws, before any command runs.
  async converge(plan: NetfilterPlan): Promise<NetfilterConvergeResult> {
    const want = renderNetfilterRules(normalisePlan(plan));
    const chains = [want.filter, want.nat];
    return this.serialise(async () => {
      const before = await this.diff(chains);
      const text = restoreText(before);
      if (text === '') return { changed: false };
      await iptablesRestore(this.run, text);
      const left = (await this.diff(chains)).flatMap((s) => s.lines);
      // Reading back differently from what was written means a rule is rendered in another form
      // than iptables prints it (or something rewrote it at once): say so rather than rewrite
      // the chain on every convergence.
      if (left.length > 0) throw new Error(`netfilter: rules read back differ from the plan after iptables-restore; still to apply: ${left.join(' | ')}`);
      return { changed: true };
    });
  }

  /** Deletes the jumps to this tag's chains (every copy) and the chains, in both tables; nothing to do is not an error. */
  async remove(tag: string): Promise<void> {
    const { forward, postrouting } = chainNames(parseOrThrow(tagSchema, tag, 'netfilter.tag'));
    return this.serialise(async () => {
      const [filter, nat] = await Promise.all([this.read('filter'), this.read('nat')]);
      const text = restoreText([
        { table: 'filter', lines: diffRemoval(forward, filter) },
        { table: 'nat', lines: diffRemoval(postrouting, nat) },
      ]);
      if (text !== '') await iptablesRestore(this.run, text);
    });
  }

  /** The rules of one of our chains as iptables prints them, undefined when it does not exist (for tests and diagnostics). */
  async chainRules(table: IptablesTable, chain: string): Promise<string[] | undefined> {
    return (await this.read(table)).chains.get(chain);
  }

  private async diff(chains: readonly ChainRules[]): Promise<{ table: IptablesTable; lines: string[] }[]> {
    return Promise.all(chains.map(async (c) => ({ table: c.table, lines: diffChain(c, await this.read(c.table)) })));
  }

  private async read(table: IptablesTable): Promise<IptablesListing> {
    return parseIptablesListing(await listTable(this.run, table));
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
