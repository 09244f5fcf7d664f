import { z } from 'zod';
import { parseOrThrow } from '../../api/validation.js';
import { containsCidr, formatCidr, parseCidr, parseIpv4 } from '../../lib/cidr.js';

/** What this node's packet filter must allow and masquerade; see `renderNetfilterRules`. */
export interface NetfilterPlan {
  /**
   * Distinguishes the chains of several agents sharing one network namespace (e.g. the first 8
   * characters of the node id): `SHOAL-FWD-<tag>` and `SHOAL-POST-<tag>`.
   */
  tag: string;
  /** The whole container address space, e.g. 10.240.0.0/12: never masqueraded. */
  clusterCidr: string;
  /** This node's /20: the sources this node masquerades. */
  nodeSubnet: string;
  /** The VXLAN device; absent when the node has no overlay (then nothing is let in from it). */
  overlayDevice?: string | undefined;
  /** Each local bridge of a Shoal network and the sources that may open connections into it from the overlay (the same network's ranges on other nodes). */
  bridges: { device: string; allowedSources: string[] }[];
  /** Peers' own overlay addresses (/32 or bare): a peer's user-space ingress proxy connects from there to any task. */
  peerNodeAddresses: string[];
}

/**
 * iptables refuses chain names longer than 28 characters; `SHOAL-POST-` takes 11. Only
 * characters that need no quoting in `iptables -S` output, so rules read back compare as text.
 */
export const maxTagLength = 17;
const tagPattern = /^[A-Za-z0-9_-]+$/;

export interface NetfilterChains {
  /** filter table, jumped to from the top of DOCKER-USER. */
  forward: string;
  /** nat table, jumped to from the top of POSTROUTING. */
  postrouting: string;
}

export function chainNames(tag: string): NetfilterChains {
  return { forward: `SHOAL-FWD-${tag}`, postrouting: `SHOAL-POST-${tag}` };
}

export const tagSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(maxTagLength, `at most ${maxTagLength} characters (iptables chain names are limited to 28)`)
  .regex(tagPattern, 'only A-Z a-z 0-9 _ - allowed');

// The kernel's limit (15) and no leading '-' or '+', which iptables would read as an option or a wildcard.
const interfaceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/, 'not a valid interface name (1-15 of A-Z a-z 0-9 _ . -)');

// Host bits refused rather than masked: iptables would silently widen `10.240.1.5/26` to the whole
// block, and such a value is almost always a bug upstream.
const cidr = z.string().refine((s) => parseCidr(s) !== undefined, 'not an IPv4 block A.B.C.D/P without host bits');

const hostAddress = z
  .string()
  .refine((s) => parseIpv4(s.replace(/\/32$/, '')) !== undefined, 'not an IPv4 address (A.B.C.D or A.B.C.D/32)')
  .transform((s) => `${s.replace(/\/32$/, '')}/32`);

const planSchema = z
  .strictObject({
    tag: tagSchema,
    clusterCidr: cidr,
    nodeSubnet: cidr,
    overlayDevice: interfaceName.optional(),
    bridges: z.array(z.strictObject({ device: interfaceName, allowedSources: z.array(cidr) })),
    peerNodeAddresses: z.array(hostAddress),
  })
  .superRefine((p, ctx) => {
    const cluster = parseCidr(p.clusterCidr);
    const node = parseCidr(p.nodeSubnet);
    if (cluster && node && !containsCidr(cluster, node)) {
      ctx.addIssue({ code: 'custom', path: ['nodeSubnet'], message: `${p.nodeSubnet} is not inside clusterCidr ${p.clusterCidr}` });
    }
    const seen = new Set<string>();
    p.bridges.forEach((b, i) => {
      if (seen.has(b.device)) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'device'], message: `bridge ${b.device} is listed twice` });
      seen.add(b.device);
      if (b.device === p.overlayDevice) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'device'], message: `${b.device} is the overlay device` });
    });
  });

/**
 * Checks a plan and puts it in the one form rendering relies on: addresses as `A.B.C.D/32`,
 * lists sorted and without duplicates, so the same intent always renders the same rules and a
 * reordered input is not a change. Throws `ShoalError` (invalid_argument) naming the field.
 */
export function normalisePlan(plan: NetfilterPlan): NetfilterPlan {
  const p = parseOrThrow(planSchema, plan, 'netfilter');
  return {
    tag: p.tag,
    clusterCidr: p.clusterCidr,
    nodeSubnet: p.nodeSubnet,
    ...(p.overlayDevice !== undefined ? { overlayDevice: p.overlayDevice } : {}),
    bridges: p.bridges
      .map((b) => ({ device: b.device, allowedSources: sortBlocks(b.allowedSources) }))
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)),
    peerNodeAddresses: sortBlocks(p.peerNodeAddresses),
  };
}

function sortBlocks(blocks: readonly string[]): string[] {
  const parsed = [...new Set(blocks)].map((b) => parseCidr(b)).filter((c) => c !== undefined);
  return parsed.sort((a, b) => a.base - b.base || a.prefix - b.prefix).map(formatCidr);
}
