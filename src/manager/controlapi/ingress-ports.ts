import { ShoalError } from '../../api/errors.js';
import type { ServiceObject } from '../../api/objects.js';
import type { Store } from '../store/store.js';

type Named = Pick<ServiceObject, 'name' | 'spec'>;

/**
 * A port published in ingress mode is answered on every node of the environment, so, as in
 * Swarm, only one service of the environment may publish it (per protocol). `services` are
 * all of the environment's services as they would be after the write; the first service in
 * `writing` order that takes a port already taken is refused, naming its port.
 */
export function assertUniqueIngressPorts(env: string, services: readonly Named[], field: (service: Named, portIndex: number) => string): void {
  const taken = new Map<string, string>();
  for (const s of services) {
    (s.spec.ports ?? []).forEach((p, i) => {
      if (p.mode !== 'ingress' || p.published === undefined) return;
      const key = `${p.published}/${p.protocol}`;
      const holder = taken.get(key);
      if (holder !== undefined && holder !== s.name) {
        throw new ShoalError('already_exists', `port ${key} is already published by service ${holder} in environment ${env}`, field(s, i));
      }
      taken.set(key, s.name);
    });
  }
}

/** For one service being created or changed: the others of its environment come first. */
export async function checkIngressPorts(store: Store, service: ServiceObject): Promise<void> {
  const others = (await store.list<ServiceObject>('service', { env: service.env })).filter((s) => s.id !== service.id);
  assertUniqueIngressPorts(service.env, [...others, service], (_s, i) => `spec.ports[${i}].published`);
}
