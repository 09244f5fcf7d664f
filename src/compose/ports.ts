/**
 * compose's port syntax: `"80"`, `"8080:80"`, `"8080-8081:80-81"`, `"127.0.0.1:8080:80"`,
 * `"[::1]:8080:80"`, `"53:53/udp"`. Shoal publishes on every host address, so a specific host
 * address is refused rather than silently widened (see docs/COMPOSE.md).
 */
export interface PortRange {
  start: number;
  end: number;
}

export interface ParsedPort {
  hostIp: string;
  published?: PortRange;
  target: PortRange;
  protocol: string;
}

export interface ExpandedPort {
  target: number;
  published?: number;
  protocol: 'tcp' | 'udp';
}

const anyAddress = new Set(['', '0.0.0.0', '::', '[::]']);

export function parseRange(text: string): PortRange | string {
  const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(text);
  if (!m) return `"${text}" is not a port or port range`;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  for (const p of [start, end]) if (p < 1 || p > 65535) return `port ${p} is not between 1 and 65535`;
  if (end < start) return `"${text}" is not a port range: the end is below the start`;
  return { start, end };
}

export function parsePortShort(input: string | number): ParsedPort | string {
  const text = String(input).trim();
  const bad = (why: string): string => `"${text}" is not a valid port: ${why}`;
  let rest = text;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  const bracket = /^(\[[^\]]*\]):(.*)$/.exec(rest);
  if (bracket) {
    hostIp = bracket[1] ?? '';
    rest = bracket[2] ?? '';
  }
  const parts = rest.split(':');
  let publishedText: string | undefined;
  let targetText: string;
  if (parts.length === 1) targetText = parts[0] ?? '';
  else if (parts.length === 2) [publishedText, targetText] = parts as [string, string];
  else if (parts.length === 3 && !bracket) [hostIp, publishedText, targetText] = parts as [string, string, string];
  else return bad('expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]');
  const target = parseRange(targetText);
  if (typeof target === 'string') return bad(target);
  let published: PortRange | undefined;
  if (publishedText !== undefined && publishedText !== '') {
    const p = parseRange(publishedText);
    if (typeof p === 'string') return bad(p);
    published = p;
  }
  return { hostIp, published, target, protocol };
}

/** Checks what Shoal can publish and expands ranges into one port each. */
export function expandPorts(p: ParsedPort): ExpandedPort[] | string {
  if (!anyAddress.has(p.hostIp)) {
    return `publishing on host address ${p.hostIp} is not supported: Shoal publishes on every address of the node (remove the address, or keep the port unpublished)`;
  }
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') return `protocol "${p.protocol}" is not supported: use tcp or udp`;
  const protocol = p.protocol;
  const count = p.target.end - p.target.start + 1;
  if (p.published) {
    const publishedCount = p.published.end - p.published.start + 1;
    if (publishedCount !== count) {
      return count === 1
        ? 'a published port range for one container port is not supported: publish one port'
        : `the published range has ${publishedCount} ports and the container range ${count}: they must match`;
    }
  }
  const out: ExpandedPort[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ target: p.target.start + i, ...(p.published ? { published: p.published.start + i } : {}), protocol });
  }
  return out;
}

/** compose's uniqueness key for merging ports across files: {ip, target, published, protocol}. */
export const portKey = (p: ParsedPort): string =>
  `${p.hostIp}|${p.published ? `${p.published.start}-${p.published.end}` : ''}|${p.target.start}-${p.target.end}|${p.protocol}`;
