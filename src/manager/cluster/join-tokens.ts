import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store, StoredObject } from '../store/store.js';

/**
 * The cluster object and its join tokens. Tokens are stored only as SHA-256 hashes: they are
 * 256-bit random secrets, so a slow password hash would add nothing.
 */
export interface ClusterObject extends StoredObject {
  createdAt: string;
  tokenHashes: { worker: string; manager: string };
}

export const clusterId = 'cluster';
export type JoinRole = 'worker' | 'manager';

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newJoinToken = (role: JoinRole): string => `SHOAL-1-${role === 'manager' ? 'M' : 'W'}-${randomBytes(24).toString('base64url')}`;

/** Creates the cluster on first start; returns the new tokens only then (they are shown once). */
export async function initCluster(store: Store): Promise<{ cluster: ClusterObject; tokens?: Record<JoinRole, string> }> {
  const existing = await store.get<ClusterObject>('cluster', clusterId);
  if (existing) return { cluster: existing };
  const tokens = { worker: newJoinToken('worker'), manager: newJoinToken('manager') };
  const cluster: ClusterObject = {
    id: clusterId,
    env: 'default',
    version: 0,
    createdAt: new Date().toISOString(),
    tokenHashes: { worker: hash(tokens.worker), manager: hash(tokens.manager) },
  };
  await store.commit([{ op: 'create', kind: 'cluster', value: cluster }], { actor: 'manager' });
  return { cluster: (await store.get<ClusterObject>('cluster', clusterId)) ?? cluster, tokens };
}

/** The role a token grants, or undefined when it is no current token of this cluster. */
export function roleOfToken(cluster: ClusterObject, token: unknown): JoinRole | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const given = Buffer.from(hash(token), 'hex');
  for (const role of ['worker', 'manager'] as const) {
    if (timingSafeEqual(given, Buffer.from(cluster.tokenHashes[role], 'hex'))) return role;
  }
  return undefined;
}
