import { ShoalError } from '../../api/errors.js';
import type { NetworkObject } from '../../api/networks.js';
import type { ServiceSpec } from '../../api/service-spec.js';
import type { Store } from '../store/store.js';

/**
 * Refuses a spec that attaches to a network its environment does not have, naming the field
 * (`spec.networks[1].target`): a task could never be wired to it. `pending` are names about to
 * be created in the same commit (a stack's own networks).
 */
export async function checkNetworkTargets(store: Store, env: string, spec: Pick<ServiceSpec, 'networks'>, opts: { root?: string; pending?: ReadonlySet<string> } = {}): Promise<void> {
  const attachments = attachmentsOf(spec);
  if (attachments.length === 0) return;
  const known = new Set((await store.list<NetworkObject>('network', { env })).map((n) => n.name));
  attachments.forEach((n, i) => {
    if (known.has(n.target) || opts.pending?.has(n.target)) return;
    const field = `${opts.root ?? 'spec'}.networks[${i}].target`;
    throw new ShoalError('invalid_argument', `${field}: network "${n.target}" does not exist in environment "${env}"`, field);
  });
}

/** Whether the service's tasks are attached to the network: all are to the built-in one. */
export function attachedTo(network: Pick<NetworkObject, 'name' | 'builtIn'>, spec: Pick<ServiceSpec, 'networks'>): boolean {
  return network.builtIn === true || attachmentsOf(spec).some((n) => n.target === network.name);
}

/** A spec's attachments; services stored before networks existed have no such field. */
export function attachmentsOf(spec: Pick<ServiceSpec, 'networks'>): ServiceSpec['networks'] {
  return (spec as Partial<Pick<ServiceSpec, 'networks'>>).networks ?? [];
}
