/**
 * IPv4 arithmetic for the overlay: node subnets arrive as strings from the store, and the
 * programmer must compare them with what `ip -j` prints, so both go through one normal form.
 */

export interface Ipv4Subnet {
  /** The network address (host bits cleared), dotted. */
  network: string;
  prefix: number;
}

const octet = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => octet.test(p));
}

export function ipv4ToNumber(text: string): number {
  if (!isIpv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  return text.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * Parses `A.B.C.D/P`. Host bits must be zero: `10.240.3.5/24` is refused rather than silently
 * widened, because a subnet written wrong in the store would route another node's addresses.
 */
export function parseSubnet(text: string): Ipv4Subnet {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1] ?? '')) throw new Error(`not an IPv4 subnet (A.B.C.D/P): ${text}`);
  const prefix = Number(m[2]);
  if (prefix < 1 || prefix > 32) throw new Error(`subnet prefix out of range 1-32: ${text}`);
  const addr = ipv4ToNumber(m[1] ?? '');
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) throw new Error(`subnet has host bits set (expected ${numberToIpv4(addr - (addr % size))}/${prefix}): ${text}`);
  return { network: numberToIpv4(addr), prefix };
}

export function formatSubnet(s: Ipv4Subnet): string {
  return `${s.network}/${s.prefix}`;
}

function range(s: Ipv4Subnet): [number, number] {
  const start = ipv4ToNumber(s.network);
  return [start, start + 2 ** (32 - s.prefix) - 1];
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

/** `ip route` prints a host route without its `/32`; everything else with its prefix. */
export function normaliseRouteDst(dst: string): string {
  return dst.includes('/') ? dst : `${dst}/32`;
}
