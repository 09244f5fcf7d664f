import type { NetfilterPlan } from './netfilter-plan.js';
import { chainNames } from './netfilter-plan.js';

export type IptablesTable = 'filter' | 'nat';

/** One of our chains, where it hangs, and its rules in the exact form `iptables -S` prints them. */
export interface ChainRules {
  table: IptablesTable;
  chain: string;
  /** The chain whose top jumps to ours. */
  parent: string;
  /** A built-in chain that must jump to `parent` (FORWARD → DOCKER-USER), when `parent` is not built in. */
  grandparent?: string;
  rules: string[];
}

export const dockerUserChain = 'DOCKER-USER';

/**
 * Plan → the two chains' rules. Pure. Expects a plan from `normalisePlan` (addresses with their
 * prefix, sorted), and writes options in the order iptables prints them (`-s -d -i -o`, then
 * matches, then `-j`), so what is read back equals what was rendered.
 *
 * filter `SHOAL-FWD-<tag>` (from the top of DOCKER-USER, so before Docker's FORWARD rules, whose
 * policy is DROP and which accept only what leaves or stays inside a bridge): replies pass;
 * NEW connections from the overlay pass only into the bridge whose network the source range
 * belongs to, or from a peer node's own overlay address (its ingress proxy) to any task; anything
 * else from the overlay is dropped, and the rest RETURNs to Docker's rules unchanged.
 *
 * nat `SHOAL-POST-<tag>` (from the top of POSTROUTING): the bridges are made without Docker's
 * masquerading, so containers keep their own address towards the cluster and leave with the
 * node's address for anything else.
 */
export function renderNetfilterRules(plan: NetfilterPlan): { filter: ChainRules; nat: ChainRules } {
  const { forward, postrouting } = chainNames(plan.tag);
  const fwd = [`-A ${forward} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`];
  const overlay = plan.overlayDevice;
  if (overlay !== undefined) {
    for (const b of plan.bridges) {
      for (const src of b.allowedSources) fwd.push(`-A ${forward} -s ${src} -i ${overlay} -o ${b.device} -j ACCEPT`);
    }
    for (const addr of plan.peerNodeAddresses) fwd.push(`-A ${forward} -s ${addr} -i ${overlay} -j ACCEPT`);
    // Docker's FORWARD policy is DROP only when Docker itself had to turn forwarding on; on a
    // host (or namespace) that already forwarded, it is ACCEPT, so the refusal must be ours.
    fwd.push(`-A ${forward} -i ${overlay} -j DROP`);
  }
  fwd.push(`-A ${forward} -j RETURN`);
  const post = [`-A ${postrouting} -s ${plan.nodeSubnet} -d ${plan.clusterCidr} -j RETURN`, `-A ${postrouting} -s ${plan.nodeSubnet} -j MASQUERADE`];
  return {
    filter: { table: 'filter', chain: forward, parent: dockerUserChain, grandparent: 'FORWARD', rules: fwd },
    nat: { table: 'nat', chain: postrouting, parent: 'POSTROUTING', rules: post },
  };
}
