import { formatIpv4, maskOf, overlaps, parseCidr, parseIpv4 } from '../../lib/cidr.js';

/**
 * The overlay's view of IPv4 (arithmetic in src/lib/cidr.ts): node subnets arrive as strings from the store, and the
 * programmer must compare them with what `ip -j` prints, so both go through one normal form.
 */

export interface Ipv4Subnet {
  /** The network address (host bits cleared), dotted. */
  network: string;
  prefix: number;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export function ipv4ToNumber(text: string): number {
  const n = parseIpv4(text);
  if (n === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return n;
}

export const numberToIpv4 = formatIpv4;

/**
 * Parses `A.B.C.D/P`. Host bits must be zero: `10.240.3.5/24` is refused rather than silently
 * widened, because a subnet written wrong in the store would route another node's addresses.
 */
export function parseSubnet(text: string): Ipv4Subnet {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  const addr = parseIpv4(m?.[1] ?? '');
  if (!m || addr === undefined) throw new Error(`not an IPv4 subnet (A.B.C.D/P): ${text}`);
  const prefix = Number(m[2]);
  if (prefix < 1 || prefix > 32) throw new Error(`subnet prefix out of range 1-32: ${text}`);
  const block = parseCidr(text);
  if (!block) throw new Error(`subnet has host bits set (expected ${formatIpv4((addr & maskOf(prefix)) >>> 0)}/${prefix}): ${text}`);
  return { network: formatIpv4(block.base), prefix };
}

export function formatSubnet(s: Ipv4Subnet): string {
  return `${s.network}/${s.prefix}`;
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return overlaps({ base: ipv4ToNumber(a.network), prefix: a.prefix }, { base: ipv4ToNumber(b.network), prefix: b.prefix });
}

/** `ip route` prints a host route without its `/32`; everything else with its prefix. */
export function normaliseRouteDst(dst: string): string {
  return dst.includes('/') ? dst : `${dst}/32`;
}
