import type { Diagnostics } from './compose-error.js';
import { parsePortShort, portKey } from './ports.js';
import { isExtension } from './tree-read.js';
import { parseVolumeShort } from './volumes.js';
import type { Tree, TreeMap, TreeScalar } from './yaml-tree.js';

/**
 * Merging several compose files in order, by compose's rules: mappings merge deeply, scalars
 * are replaced, lists are appended, except `command`, `entrypoint` and `healthcheck.test`
 * (replaced) and ports, volumes, secrets and configs, which merge by their unique key (ports:
 * address, published, target, protocol; the others: target). Lists that may also be written as
 * mappings (environment, labels, depends_on, networks) are turned into mappings first, so
 * `- KEY=1` in one file and `KEY: 2` in the next merge. `!reset` removes a value, `!override`
 * replaces it instead of merging.
 */

const replacedLists = new Set(['command', 'entrypoint', 'test']);
const keyValueLists = ['environment', 'labels', 'annotations', 'sysctls'];
const namedLists = ['depends_on', 'networks'];

/** Puts one file's services into the canonical shape merging needs (in place). */
export function normalizeFile(file: TreeMap, diag: Diagnostics): void {
  const services = file.entries.get('services');
  if (services?.kind !== 'map') return;
  for (const [name, service] of services.entries) {
    if (service.kind !== 'map' || isExtension(name)) continue;
    for (const key of keyValueLists) replaceEntry(service, key, (n) => keyValueMap(n, diag));
    const deploy = service.entries.get('deploy');
    if (deploy?.kind === 'map') replaceEntry(deploy, 'labels', (n) => keyValueMap(n, diag));
    for (const key of namedLists) replaceEntry(service, key, (n) => namedMap(n));
    replaceEntry(service, 'ports', (n) => keyedMap(n, portIdentity, undefined));
    replaceEntry(service, 'volumes', (n) => keyedMap(n, volumeIdentity, diag));
    replaceEntry(service, 'secrets', (n) => keyedMap(n, fileIdentity, diag));
    replaceEntry(service, 'configs', (n) => keyedMap(n, fileIdentity, diag));
  }
}

function replaceEntry(map: TreeMap, key: string, change: (node: Tree) => Tree): void {
  const node = map.entries.get(key);
  if (node) map.entries.set(key, change(node));
}

/** `["A=1", "B"]` → `{A: "1", B: null}`; a mapping stays as it is. */
function keyValueMap(node: Tree, diag: Diagnostics): Tree {
  if (node.kind !== 'seq') return node;
  const entries = new Map<string, Tree>();
  for (const item of node.items) {
    if (item.kind !== 'scalar' || typeof item.value !== 'string') {
      diag.error(item.at, 'must be a string KEY=VALUE');
      continue;
    }
    const eq = item.value.indexOf('=');
    const key = eq < 0 ? item.value : item.value.slice(0, eq);
    const value: TreeScalar = { kind: 'scalar', value: eq < 0 ? null : item.value.slice(eq + 1), at: item.at };
    entries.set(key, value);
  }
  return { kind: 'map', entries, at: node.at, ...(node.tag ? { tag: node.tag } : {}) };
}

/** `[db, cache]` → `{db: null, cache: null}`. */
function namedMap(node: Tree): Tree {
  if (node.kind !== 'seq') return node;
  const entries = new Map<string, Tree>();
  for (const item of node.items) {
    if (item.kind === 'scalar' && typeof item.value === 'string') entries.set(item.value, { kind: 'scalar', value: null, at: item.at });
    else entries.set(`\0${entries.size}`, item); // a wrong type: kept for the mapper to report
  }
  return { kind: 'map', entries, at: node.at, ...(node.tag ? { tag: node.tag } : {}) };
}

function keyedMap(node: Tree, identity: (item: Tree) => string | undefined, duplicates: Diagnostics | undefined): Tree {
  if (node.kind !== 'seq') return node;
  const entries = new Map<string, Tree>();
  node.items.forEach((item, i) => {
    const id = identity(item) ?? `\0${i}`;
    if (entries.has(id) && duplicates) duplicates.error(item.at, `target ${id} is given twice`);
    entries.set(id, item);
  });
  return { kind: 'map', entries, at: node.at, keyed: true, ...(node.tag ? { tag: node.tag } : {}) };
}

const scalarText = (node: Tree | undefined): string | undefined =>
  node?.kind === 'scalar' && node.value !== null ? String(node.value) : undefined;

function portIdentity(item: Tree): string | undefined {
  if (item.kind === 'scalar' && item.value !== null) {
    const parsed = parsePortShort(item.value as string | number);
    return typeof parsed === 'string' ? undefined : portKey(parsed);
  }
  if (item.kind !== 'map') return undefined;
  const field = (k: string): string => scalarText(item.entries.get(k)) ?? '';
  return `${field('host_ip')}|${field('published')}|${field('target')}|${field('protocol') || 'tcp'}`;
}

function volumeIdentity(item: Tree): string | undefined {
  if (item.kind === 'scalar' && typeof item.value === 'string') {
    const parsed = parseVolumeShort(item.value);
    return typeof parsed === 'string' ? undefined : parsed.target;
  }
  return item.kind === 'map' ? scalarText(item.entries.get('target')) : undefined;
}

function fileIdentity(item: Tree): string | undefined {
  if (item.kind === 'scalar' && typeof item.value === 'string') return item.value;
  if (item.kind !== 'map') return undefined;
  return scalarText(item.entries.get('target')) ?? scalarText(item.entries.get('source'));
}

/** Merges `override` onto `base` (neither is changed). */
export function mergeTrees(base: Tree, override: Tree, key = ''): Tree {
  if (override.tag) return override;
  if (base.kind === 'map' && override.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [k, v] of override.entries) {
      const before = entries.get(k);
      entries.set(k, before ? mergeTrees(before, v, base.keyed ? '' : k) : v);
    }
    return { ...base, entries, at: override.at };
  }
  if (base.kind === 'seq' && override.kind === 'seq' && !replacedLists.has(key)) {
    const seen = new Set(base.items.map(identityOf).filter((x) => x !== undefined));
    const items = [...base.items, ...override.items.filter((i) => { const id = identityOf(i); return id === undefined || !seen.has(id); })];
    return { ...base, items, at: override.at };
  }
  return override;
}

const identityOf = (node: Tree): string | undefined => (node.kind === 'scalar' ? JSON.stringify(node.value) : undefined);

/** After merging: drops `!reset` values and turns keyed lists back into lists. */
export function finishMerge(node: Tree): Tree {
  if (node.kind === 'seq') return { ...node, items: node.items.filter((i) => i.tag !== 'reset').map(finishMerge) };
  if (node.kind !== 'map') return node;
  const kept = [...node.entries].filter(([, v]) => v.tag !== 'reset').map(([k, v]) => [k, finishMerge(v)] as const);
  if (node.keyed) return { kind: 'seq', items: kept.map(([, v]) => v), at: node.at };
  return { ...node, entries: new Map(kept) };
}
