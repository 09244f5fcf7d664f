/**
 * IPv4 CIDR arithmetic, shared by the manager's address management and the agent's overlay. Addresses are unsigned 32-bit numbers so
 * blocks are compared and carved with plain arithmetic; every function is pure. IPv4 only:
 * the overlay (VXLAN, one subnet per node) and Docker bridge networks it feeds are IPv4.
 */

/** A block: its first address (host bits zero) and its prefix length. */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const octet = /^(0|[1-9][0-9]{0,2})$/;

/** Dotted quad → number; undefined for anything but four decimal octets (no leading zeros). */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!octet.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The netmask of a prefix length, as a number (`<< 32` is `<< 0` in JavaScript, hence the case). */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * `A.B.C.D/P` → block; undefined when malformed or when host bits are set (`10.0.0.1/8`), since
 * a block written with host bits is almost always a typo for a different block.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (base === undefined || !/^(0|[1-9][0-9]?)$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  if (((base & ~maskOf(prefix)) >>> 0) !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Number of addresses in the block. */
export function sizeOf(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** The last address of the block. */
export function lastOf(c: Cidr): number {
  return c.base + sizeOf(c) - 1;
}

export function containsAddress(c: Cidr, address: number): boolean {
  return address >= c.base && address <= lastOf(c);
}

/** True when `inner` lies wholly within `outer` (a block contains itself). */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && containsAddress(outer, inner.base);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastOf(b) && b.base <= lastOf(a);
}

/** How many blocks of `childPrefix` the parent splits into. */
export function childCount(parent: Cidr, childPrefix: number): number {
  if (childPrefix < parent.prefix || childPrefix > 32) throw new RangeError(`cannot split /${parent.prefix} into /${childPrefix}`);
  return 2 ** (childPrefix - parent.prefix);
}

/** The index-th block of `childPrefix` inside the parent, counting from 0. */
export function childAt(parent: Cidr, childPrefix: number, index: number): Cidr {
  const count = childCount(parent, childPrefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`block ${index} is outside ${formatCidr(parent)} split into /${childPrefix}`);
  return { base: parent.base + index * 2 ** (32 - childPrefix), prefix: childPrefix };
}

/** Where a block sits in its parent's split, or undefined when it is not one of its children. */
export function childIndex(parent: Cidr, child: Cidr): number | undefined {
  if (!containsCidr(parent, child)) return undefined;
  return (child.base - parent.base) / 2 ** (32 - child.prefix);
}

/** Every block of `childPrefix` inside the parent, in address order. */
export function split(parent: Cidr, childPrefix: number): Cidr[] {
  return Array.from({ length: childCount(parent, childPrefix) }, (_, i) => childAt(parent, childPrefix, i));
}

/** The address at `offset` from the block's start. */
export function addressAt(c: Cidr, offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset >= sizeOf(c)) throw new RangeError(`offset ${offset} is outside ${formatCidr(c)}`);
  return c.base + offset;
}

/**
 * The lowest index in [from, to) not in `taken`, or undefined when every one is taken. The
 * allocator's indices are blocks of a split or address offsets in a range.
 */
export function nextFree(taken: ReadonlySet<number>, from: number, to: number): number | undefined {
  for (let i = from; i < to; i++) if (!taken.has(i)) return i;
  return undefined;
}

/** Every index in [from, to) not in `taken`, in order. */
export function freeIndices(taken: ReadonlySet<number>, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) if (!taken.has(i)) out.push(i);
  return out;
}
