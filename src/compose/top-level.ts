import { nameSchema } from '../api/service-spec.js';
import type { StackFileResource, StackSpec } from '../api/stack-spec.js';
import { stringMap } from './service-deploy.js';
import type { Reader } from './tree-read.js';
import type { Tree, TreeMap } from './yaml-tree.js';

/** The top-level networks, volumes, secrets and configs sections. */

type Kind = 'networks' | 'volumes' | 'secrets' | 'configs';

const knownKeys: Record<Kind, string[]> = {
  networks: ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'enable_ipv4', 'enable_ipv6', 'attachable', 'labels'],
  volumes: ['name', 'driver', 'driver_opts', 'external', 'labels'],
  secrets: ['name', 'environment', 'file', 'external', 'labels', 'driver', 'driver_opts', 'template_driver'],
  configs: ['name', 'content', 'environment', 'file', 'external', 'labels', 'template_driver'],
};

const singular: Record<Kind, string> = { networks: 'network', volumes: 'volume', secrets: 'secret', configs: 'config' };

/** Names a service may reference, checked before services are mapped. */
export function declaredNames(r: Reader, section: Tree | undefined, kind: Kind): Set<string> {
  const names = new Set<string>();
  const map = r.optionalMap(section);
  for (const [name, value] of map?.entries ?? []) {
    if (name.startsWith('x-')) continue;
    if (!nameSchema.safeParse(name).success) {
      r.error(value.at, `"${name}" is not a valid ${singular[kind]} name: use 1-63 letters, digits, "_", "." or "-", starting with a letter or digit`);
      continue;
    }
    names.add(name);
  }
  return names;
}

export function mapResources(r: Reader, section: Tree | undefined, kind: Kind, names: Set<string>): StackSpec[Kind] {
  const out: Record<string, StackFileResource & { attachable?: boolean; internal?: boolean }> = {};
  const map = r.optionalMap(section);
  for (const [name, value] of map?.entries ?? []) {
    if (!names.has(name)) continue;
    const entry = r.optionalMap(value);
    if (!entry) continue;
    r.checkKeys(entry, knownKeys[kind]);
    out[name] = mapOne(r, entry, kind);
  }
  return out;
}

function mapOne(r: Reader, entry: TreeMap, kind: Kind): StackFileResource & { attachable?: boolean; internal?: boolean } {
  const e = entry.entries;
  const res: StackFileResource & { attachable?: boolean; internal?: boolean } = { external: false };
  const name = r.string(e.get('name'));
  if (name !== undefined) res.name = name;
  const external = e.get('external');
  if (external) {
    if (external.kind === 'map') {
      // The older `external: { name: x }` form.
      r.checkKeys(external, ['name']);
      res.external = true;
      const old = r.string(external.entries.get('name'));
      if (old !== undefined) res.name = old;
    } else res.external = r.bool(external) ?? false;
  }
  const driver = r.string(e.get('driver'));
  if (driver !== undefined) res.driver = driver;
  if (e.has('driver_opts')) res.driverOptions = stringMap(r, e.get('driver_opts') as Tree);
  if (e.has('labels')) res.labels = stringMap(r, labelsAsMap(e.get('labels') as Tree));
  for (const key of ['driver', 'driver_opts', 'template_driver']) {
    const node = e.get(key);
    if (node && (kind === 'secrets' || kind === 'configs')) r.error(node.at, 'is not supported by Shoal (secrets and configs are kept, encrypted, by the manager)');
  }
  if (kind === 'networks') {
    const attachable = r.bool(e.get('attachable'));
    if (attachable !== undefined) res.attachable = attachable;
    const internal = r.bool(e.get('internal'));
    if (internal !== undefined) res.internal = internal;
    for (const key of ['ipam', 'enable_ipv4', 'enable_ipv6']) {
      if (e.has(key)) r.warn(entry.at, 'ignored (Shoal assigns network addresses)', key);
    }
  }
  if (kind === 'secrets' || kind === 'configs') {
    const sources = ['file', 'environment', ...(kind === 'configs' ? ['content'] : [])];
    const given = sources.filter((k) => e.has(k));
    for (const k of given) {
      const v = r.string(e.get(k));
      if (v !== undefined) res[k as 'file' | 'environment' | 'content'] = v;
    }
    if (res.external) {
      for (const k of [...given, 'driver', 'driver_opts']) {
        if (e.has(k)) r.error(e.get(k)?.at ?? entry.at, `cannot be given with external: true (an external ${singular[kind]} exists already)`);
      }
    } else if (given.length === 0) {
      r.error(entry.at, `needs one of ${sources.join(', ')} or external: true`);
    } else if (given.length > 1) {
      r.error(entry.at, `takes only one of ${given.join(', ')}`);
    }
  } else if (res.external) {
    for (const k of ['driver', 'driver_opts', 'labels', 'ipam', 'internal', 'attachable']) {
      if (e.has(k)) r.error(e.get(k)?.at ?? entry.at, `cannot be given with external: true (an external ${singular[kind]} exists already)`);
    }
  }
  return res;
}

/** Labels may be a KEY=VALUE list here too. */
function labelsAsMap(node: Tree): Tree {
  if (node.kind !== 'seq') return node;
  const entries = new Map<string, Tree>();
  for (const item of node.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') continue;
    const eq = item.value.indexOf('=');
    entries.set(eq < 0 ? item.value : item.value.slice(0, eq), { kind: 'scalar', value: eq < 0 ? '' : item.value.slice(eq + 1), at: item.at });
  }
  return { kind: 'map', entries, at: node.at };
}
