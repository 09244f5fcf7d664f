import { z } from 'zod';
import { normaliseRouteDst } from './ipv4.js';
import type { ObservedFdbEntry, ObservedLink, ObservedNeighbour, ObservedRoute, UnderlayInterface } from './overlay-types.js';

/**
 * Parsers for the JSON that `ip -j` and `bridge -j` print. Only the fields the programmer
 * compares are read; anything else iproute2 adds in later versions is ignored. Output that does
 * not have the expected shape throws, naming the command, rather than being read as "empty"
 * (which would make the programmer re-add everything or, worse, delete nothing stale).
 */

const linkSchema = z.object({
  ifname: z.string(),
  flags: z.array(z.string()).default([]),
  mtu: z.number(),
  address: z.string().default(''),
  linkinfo: z
    .object({
      info_kind: z.string().default(''),
      info_data: z
        .object({
          id: z.number().optional(),
          port: z.number().optional(),
          local: z.string().optional(),
          link: z.string().optional(),
          learning: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
});

const addrSchema = z.object({
  ifname: z.string(),
  mtu: z.number(),
  addr_info: z.array(z.object({ family: z.string(), local: z.string(), prefixlen: z.number() })).default([]),
});

const routeSchema = z.object({ dst: z.string(), gateway: z.string().optional(), flags: z.array(z.string()).default([]) });
const neighSchema = z.object({ dst: z.string(), lladdr: z.string().optional(), state: z.array(z.string()).default([]) });
const fdbSchema = z.object({ mac: z.string(), dst: z.string().optional() });

function parseList<T>(what: string, text: string, schema: z.ZodType<T>): T[] {
  // `ip -j ... show dev X` prints nothing at all (not `[]`) on some versions when empty.
  if (text.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${what}: output is not JSON (is iproute2 older than 4.14?): ${text.slice(0, 200)}`);
  }
  const parsed = z.array(schema).safeParse(raw);
  if (!parsed.success) throw new Error(`${what}: unexpected JSON shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** `ip -j -d link show dev DEV` → the device, or undefined when the output lists none. */
export function parseLink(text: string): ObservedLink | undefined {
  const link = parseList('ip -j -d link show', text, linkSchema)[0];
  if (!link) return undefined;
  const data = link.linkinfo?.info_data;
  return {
    kind: link.linkinfo?.info_kind ?? '',
    ...(data?.id !== undefined ? { vni: data.id } : {}),
    ...(data?.port !== undefined ? { port: data.port } : {}),
    ...(data?.local !== undefined ? { local: data.local } : {}),
    ...(data?.link !== undefined ? { underlayDevice: data.link } : {}),
    ...(data?.learning !== undefined ? { learning: data.learning } : {}),
    mtu: link.mtu,
    up: link.flags.includes('UP'),
    mac: link.address.toLowerCase(),
  };
}

/** `ip -j addr show dev DEV` → the device's IPv4 addresses as `A.B.C.D/P`. */
export function parseIpv4Addresses(text: string): string[] {
  return parseList('ip -j addr show', text, addrSchema).flatMap((l) => l.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`));
}

/** `ip -j addr show` (every interface) → the interface holding `ip`, or undefined. */
export function findInterfaceWithAddress(text: string, ip: string): UnderlayInterface | undefined {
  const link = parseList('ip -j addr show', text, addrSchema).find((l) => l.addr_info.some((a) => a.family === 'inet' && a.local === ip));
  return link ? { name: link.ifname, mtu: link.mtu } : undefined;
}

export function parseRoutes(text: string): ObservedRoute[] {
  return parseList('ip -j route show', text, routeSchema).map((r) => ({
    dst: normaliseRouteDst(r.dst),
    ...(r.gateway !== undefined ? { gateway: r.gateway } : {}),
    onlink: r.flags.includes('onlink'),
  }));
}

export function parseNeighbours(text: string): ObservedNeighbour[] {
  return parseList('ip -j neigh show', text, neighSchema).map((n) => ({
    dst: n.dst,
    ...(n.lladdr !== undefined ? { lladdr: n.lladdr.toLowerCase() } : {}),
    permanent: n.state.includes('PERMANENT'),
  }));
}

/** Entries without a `dst` (the device's own address, bridge ports) are not VTEP entries. */
export function parseFdb(text: string): ObservedFdbEntry[] {
  return parseList('bridge -j fdb show', text, fdbSchema).flatMap((e) => (e.dst !== undefined ? [{ mac: e.mac.toLowerCase(), dst: e.dst }] : []));
}
