import type { PortSpec } from '../../api/service-spec.js';
import { ParseError } from './parse-error.js';

const protocols = ['tcp', 'udp'] as const;
const modes = ['host', 'ingress'] as const;

/**
 * A --publish value in either docker form:
 * short `[PUBLISHED:]TARGET[/PROTOCOL]` ("8080:80", "8080:80/udp", "80"), or
 * long `published=8080,target=80,protocol=udp,mode=host`.
 */
export function parsePublish(text: string): PortSpec {
  const s = text.trim();
  if (s.includes('=')) return parseLong(s);
  const [ports = '', protocol, extra] = s.split('/');
  if (extra !== undefined) throw new ParseError(`"${text}" is not a port mapping (e.g. 8080:80 or 8080:80/udp)`);
  const parts = ports.split(':');
  if (parts.length > 2) throw new ParseError(`"${text}" is not a port mapping (e.g. 8080:80 or 8080:80/udp)`);
  const target = port(parts[parts.length - 1] ?? '');
  const published = parts.length === 2 ? port(parts[0] ?? '') : undefined;
  return {
    target,
    ...(published !== undefined ? { published } : {}),
    protocol: protocol === undefined ? 'tcp' : choice(protocol, protocols, 'protocol'),
    // As Swarm: a published port answers on every node; without one the engine picks a port where the task runs.
    mode: published === undefined ? 'host' : 'ingress',
  };
}

function parseLong(s: string): PortSpec {
  const fields = new Map<string, string>();
  for (const item of s.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) throw new ParseError(`"${item}" is not KEY=VALUE`);
    const key = item.slice(0, eq).trim();
    if (!['published', 'target', 'protocol', 'mode'].includes(key)) {
      throw new ParseError(`unknown field "${key}" (use published, target, protocol, mode)`);
    }
    fields.set(key, item.slice(eq + 1).trim());
  }
  const target = fields.get('target');
  if (target === undefined) throw new ParseError('target= is required');
  const published = fields.get('published');
  const protocol = fields.get('protocol');
  const mode = fields.get('mode');
  return {
    target: port(target),
    ...(published !== undefined ? { published: port(published) } : {}),
    protocol: protocol === undefined ? 'tcp' : choice(protocol, protocols, 'protocol'),
    mode: mode === undefined ? (published === undefined ? 'host' : 'ingress') : choice(mode, modes, 'mode'),
  };
}

function port(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new ParseError(`"${text}" is not a valid port`);
  return n;
}

function choice<T extends string>(text: string, allowed: readonly T[], what: string): T {
  const lower = text.toLowerCase();
  if ((allowed as readonly string[]).includes(lower)) return lower as T;
  throw new ParseError(`"${text}" is not a valid ${what} (use ${allowed.join(' or ')})`);
}

/**
 * Which published ports a --publish-rm value removes: "8080" or "8080/udp" match a port
 * published or targeted on that number; a full mapping ("8080:80") matches exactly that one.
 */
export function publishMatcher(text: string): (p: PortSpec) => boolean {
  const s = text.trim();
  if (/^\d+(\/(tcp|udp))?$/i.test(s)) {
    const [num = '', proto] = s.split('/');
    const n = port(num);
    const protocol = proto?.toLowerCase();
    return (p) => (p.published === n || p.target === n) && (protocol === undefined || p.protocol === protocol);
  }
  const spec = parsePublish(s);
  return (p) => p.target === spec.target && p.protocol === spec.protocol && (spec.published === undefined || p.published === spec.published);
}

/** For display: "*:8080->80/tcp" as docker shows it. */
export function formatPort(p: PortSpec): string {
  return `${p.published !== undefined ? `*:${p.published}` : '*'}->${p.target}/${p.protocol}`;
}
