import type { IptablesListing } from './iptables-listing.js';
import { isUnconditionalVerdict } from './iptables-listing.js';
import type { ChainRules, IptablesTable } from './netfilter-rules.js';

/**
 * The `iptables-restore --noflush` lines that bring one table from what was read to what is
 * wanted; empty when nothing differs. Pure. Only our chain is flushed and refilled (a `:CHAIN`
 * line flushes an existing user chain under --noflush); other chains are only touched to add
 * a missing jump, so Docker's and other agents' rules stay as they are. Everything for one table
 * goes in one restore, which the kernel applies at once.
 */
export function diffChain(want: ChainRules, have: IptablesListing): string[] {
  const declare: string[] = [];
  const rules: string[] = [];
  const current = have.chains.get(want.chain);
  if (current === undefined || !sameLines(current, want.rules)) {
    declare.push(`:${want.chain} - [0:0]`);
    rules.push(...want.rules);
  }
  const parent = have.chains.get(want.parent);
  if (parent === undefined) declare.push(`:${want.parent} - [0:0]`);
  if (want.grandparent !== undefined) {
    const jumpToParent = `-A ${want.grandparent} -j ${want.parent}`;
    if (!(have.chains.get(want.grandparent) ?? []).includes(jumpToParent)) rules.push(`-I ${want.grandparent} 1 -j ${want.parent}`);
  }
  const jump = `-A ${want.parent} -j ${want.chain}`;
  const parentRules = parent ?? [];
  const copies = parentRules.filter((r) => r === jump).length;
  const firstVerdict = parentRules.findIndex(isUnconditionalVerdict);
  // One jump, ahead of any rule that ends the chain for every packet (Docker appends
  // `-j RETURN` to DOCKER-USER): a jump after it would never be reached.
  const placed = copies === 1 && (firstVerdict < 0 || parentRules.indexOf(jump) < firstVerdict);
  if (!placed) {
    for (let i = 0; i < copies; i++) rules.push(`-D ${want.parent} -j ${want.chain}`);
    rules.push(`-I ${want.parent} 1 -j ${want.chain}`);
  }
  return [...declare, ...rules];
}

/** Lines that delete every plain jump to `chain` in the table, then the chain; empty when none of it exists. */
export function diffRemoval(chain: string, have: IptablesListing): string[] {
  const lines: string[] = [];
  for (const [name, rules] of have.chains) {
    for (const r of rules) if (r === `-A ${name} -j ${chain}`) lines.push(`-D ${name} -j ${chain}`);
  }
  if (have.chains.has(chain)) lines.push(`-F ${chain}`, `-X ${chain}`);
  return lines;
}

/** The restore input for the tables that have lines, or '' when none has. */
export function restoreText(sections: readonly { table: IptablesTable; lines: readonly string[] }[]): string {
  return sections
    .filter((s) => s.lines.length > 0)
    .map((s) => [`*${s.table}`, ...s.lines, 'COMMIT', ''].join('\n'))
    .join('');
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
