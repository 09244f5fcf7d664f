import type { StoredObject } from '../store/store.js';
import type { IpamConfig } from './ipam-config.js';

/**
 * What address management keeps in the store (kind `ipam`, cluster scope). Two sorts of
 * objects: claims, one per block handed out, whose id is the block itself
 * (`subnet/10.240.16.0/20`, `range/10.240.16.64/26`) so that two managers taking the same one
 * collide on a create; and owner records (`node/ID`, `network-range/NET/NODE`) that say what an
 * owner holds, so asking again returns
 * the same answer. A claim and its owner record are written in one commit.
 *
 * `name` is an indexed field, used here as the grouping key: a claim's name is the pool it was
 * carved from (`pool/10.240.16.0/20`), an owner record's is `owner/<sort>`, so each is listed
 * without reading the others. Everything tied to a node carries `nodeId` (also indexed), so a
 * removed node's whole share is found in one list.
 */

/** Cluster-scoped, like accounts: no environment owns the address plan. */
export const ipamScope = '';

export const configId = 'config';

export interface IpamConfigObject extends StoredObject, IpamConfig {
  type: 'config';
  name: 'config';
}

export interface ClaimObject extends StoredObject {
  type: 'subnet-claim' | 'range-claim';
  /** The pool this claim was carved from: `pool/<parent block>`. */
  name: string;
  /** The block claimed. */
  cidr: string;
  nodeId: string;
  networkId?: string;
}

export interface NodeSubnetObject extends StoredObject {
  type: 'node-subnet';
  name: typeof nodeOwners;
  nodeId: string;
  subnet: string;
  nodeAddress: string;
}

export interface NetworkRangeObject extends StoredObject {
  type: 'network-range';
  name: typeof rangeOwners;
  networkId: string;
  nodeId: string;
  range: string;
  gateway: string;
}

export const nodeOwners = 'owner/node';
export const rangeOwners = 'owner/network-range';

export const poolKey = (parent: string): string => `pool/${parent}`;
export const subnetClaimId = (cidr: string): string => `subnet/${cidr}`;
export const rangeClaimId = (cidr: string): string => `range/${cidr}`;
export const nodeOwnerId = (nodeId: string): string => `node/${nodeId}`;
/** Encoded so a network id holding `/` cannot make two pairs share an id. */
export const rangeOwnerId = (networkId: string, nodeId: string): string => `network-range/${encodeURIComponent(networkId)}/${encodeURIComponent(nodeId)}`;
