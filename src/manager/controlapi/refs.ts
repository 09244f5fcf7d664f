import { ShoalError } from '../../api/errors.js';
import type { NetworkObject } from '../../api/networks.js';
import type { NodeObject, ServiceObject } from '../../api/objects.js';
import type { Store } from '../store/store.js';

/**
 * Resolves what a user typed (full id, name/hostname, or a unique id prefix) as the docker CLI
 * does. Ambiguous prefixes are refused rather than guessed.
 */
async function resolve<T extends { id: string; env: string }>(
  items: T[],
  ref: string,
  label: (t: T) => string,
  kind: string,
  /** Appended to the not-found message, e.g. ` in environment "dev"`. */
  where = '',
): Promise<T> {
  const exact = items.find((t) => t.id === ref) ?? items.find((t) => label(t) === ref);
  if (exact) return Promise.resolve(exact);
  const byPrefix = ref.length >= 3 ? items.filter((t) => t.id.startsWith(ref)) : [];
  if (byPrefix.length === 1 && byPrefix[0]) return Promise.resolve(byPrefix[0]);
  if (byPrefix.length > 1) throw new ShoalError('invalid_argument', `${kind} reference "${ref}" is ambiguous: it matches ${byPrefix.length} ${kind}s`, 'ref');
  return Promise.reject(new ShoalError('not_found', `${kind} "${ref}" not found${where}`));
}

export async function resolveService(store: Store, env: string, ref: string): Promise<ServiceObject> {
  const direct = await store.get<ServiceObject>('service', ref);
  if (direct && direct.env === env) return direct;
  const byName = await store.list<ServiceObject>('service', { env, where: { name: ref } });
  if (byName[0]) return byName[0];
  return resolve(await store.list<ServiceObject>('service', { env }), ref, (s) => s.name, 'service');
}

export async function resolveNode(store: Store, env: string, ref: string): Promise<NodeObject> {
  const direct = await store.get<NodeObject>('node', ref);
  if (direct && direct.env === env) return direct;
  return resolve(await store.list<NodeObject>('node', { env }), ref, (n) => n.hostname, 'node');
}

export async function resolveNetwork(store: Store, env: string, ref: string): Promise<NetworkObject> {
  const direct = await store.get<NetworkObject>('network', ref);
  if (direct && direct.env === env) return direct;
  const byName = await store.list<NetworkObject>('network', { env, where: { name: ref } });
  if (byName[0]) return byName[0];
  return resolve(await store.list<NetworkObject>('network', { env }), ref, (n) => n.name, 'network', ` in environment "${env}"`);
}
