import { formatCidr, maskOf, overlaps, parseCidr, parseIpv4, type Cidr } from '../../lib/cidr.js';
import { ParseError } from './parse-error.js';

/**
 * The widest and narrowest cluster blocks `--cluster-cidr` takes. Every node gets a /20 and
 * every (network, node) pair a /26 of it (src/manager/ipam/ipam-config.ts), so a /16 holds 16
 * nodes; a /8 is as much as any site hands to one cluster.
 */
export const clusterCidrPrefixes = { widest: 8, narrowest: 16 } as const;

/** Blocks no container network may take: this host, link-local, multicast and reserved. */
const unusable: Array<{ block: Cidr; what: string }> = [
  { block: { base: 0, prefix: 8 }, what: '"this network"' },
  { block: { base: 127 * 2 ** 24, prefix: 8 }, what: 'loopback' },
  { block: { base: (169 * 2 ** 24 + 254 * 2 ** 16) >>> 0, prefix: 16 }, what: 'link-local' },
  { block: { base: 224 * 2 ** 24, prefix: 3 }, what: 'multicast and reserved' },
];

/** `--cluster-cidr`: an IPv4 block without host bits, /8 to /16, that containers can use. */
export function parseClusterCidr(text: string): string {
  const trimmed = text.trim();
  const [address = '', bits] = trimmed.split('/');
  if (parseIpv4(address) === undefined || bits === undefined) throw new ParseError('must be an IPv4 block such as 10.240.0.0/12');
  const prefix = Number(bits);
  const { widest, narrowest } = clusterCidrPrefixes;
  if (!/^\d{1,2}$/.test(bits) || prefix < widest || prefix > narrowest) {
    throw new ParseError(`the prefix must be /${widest} to /${narrowest} (each node takes a /20 of it, so a /16 holds 16 nodes)`);
  }
  const block = parseCidr(trimmed);
  if (!block) {
    const base = ((parseIpv4(address) ?? 0) & maskOf(prefix)) >>> 0;
    throw new ParseError(`has host bits set: did you mean ${formatCidr({ base, prefix })}?`);
  }
  for (const u of unusable) {
    if (overlaps(block, u.block)) {
      throw new ParseError(`overlaps ${formatCidr(u.block)} (${u.what}), which containers cannot use`);
    }
  }
  return formatCidr(block);
}
