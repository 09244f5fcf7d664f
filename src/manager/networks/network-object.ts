import { defaultNetworkName, type NetworkObject } from '../../api/networks.js';
import { newId } from '../../lib/ids.js';
import type { Op } from '../store/store.js';

/**
 * Network names are unique per environment: a `name-claim` written in the same commit as the
 * network makes a second create of the name conflict in the store, whichever manager runs it.
 */
export const networkClaimId = (env: string, name: string): string => `network/${env}/${name}`;

export interface NewNetwork {
  env: string;
  name: string;
  time: string;
  labels?: Record<string, string>;
  stack?: string;
  builtIn?: boolean;
}

export function newNetworkObject(n: NewNetwork): NetworkObject {
  return {
    id: newId(),
    env: n.env,
    version: 0,
    name: n.name,
    createdAt: n.time,
    updatedAt: n.time,
    labels: n.labels ?? {},
    ...(n.stack !== undefined ? { stack: n.stack } : {}),
    ...(n.builtIn ? { builtIn: true } : {}),
  };
}

/** The ops that create a network with its name claim. */
export function networkCreateOps(network: NetworkObject): Op[] {
  const claim = { id: networkClaimId(network.env, network.name), env: network.env, version: 0, objectId: network.id };
  return [
    { op: 'create', kind: 'name-claim', value: claim },
    { op: 'create', kind: 'network', value: network },
  ];
}

/** The ops that remove a network and free its name (IPAM ranges are released after the commit). */
export function networkDeleteOps(network: NetworkObject): Op[] {
  return [
    { op: 'delete', kind: 'network', id: network.id, expectVersion: network.version },
    { op: 'delete', kind: 'name-claim', id: networkClaimId(network.env, network.name) },
  ];
}

/** The environment's built-in network, written in the commit that creates the environment. */
export function defaultNetworkOps(env: string, time: string): Op[] {
  return networkCreateOps(newNetworkObject({ env, name: defaultNetworkName, time, builtIn: true }));
}
