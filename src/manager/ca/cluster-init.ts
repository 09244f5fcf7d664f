import { joinRoles, clusterId, type ClusterObject, type JoinRole } from './cluster-object.js';
import { newStoredToken } from './join-token.js';
import { createRootCa, loadRootCa, type RootCa } from './root-ca.js';
import { SecretBox } from './secret-box.js';
import type { Store } from '../store/store.js';

export interface ClusterInit {
  ca: RootCa;
  box: SecretBox;
  /** Only on the start that created the tokens, so the CLI can show them once. */
  newTokens?: Record<JoinRole, string>;
}

/**
 * Creates the root CA, the token key and both join tokens on the first start; loads them on
 * later ones. A cluster object from before the CA existed gets a CA and new tokens (its old
 * tokens could not have pinned anything).
 */
export async function initCluster(store: Store, dataDir: string, now = new Date()): Promise<ClusterInit> {
  const existing = await store.get<ClusterObject>('cluster', clusterId);
  if (existing?.caCertificate && existing.tokens) {
    return { ca: await loadRootCa(dataDir, existing.caCertificate), box: await SecretBox.open(dataDir, false) };
  }
  const ca = await createRootCa(dataDir, now);
  const box = await SecretBox.open(dataDir, true);
  const newTokens = {} as Record<JoinRole, string>;
  const tokens = {} as ClusterObject['tokens'];
  for (const role of joinRoles) {
    const t = newStoredToken(ca.hash, box, now);
    newTokens[role] = t.token;
    tokens[role] = t.stored;
  }
  const cluster: ClusterObject = {
    id: clusterId,
    env: 'default',
    version: existing?.version ?? 0,
    createdAt: existing?.createdAt ?? now.toISOString(),
    caCertificate: ca.certificatePem,
    tokens,
  };
  const op = existing ? { op: 'put' as const, kind: 'cluster' as const, value: cluster, expectVersion: existing.version } : { op: 'create' as const, kind: 'cluster' as const, value: cluster };
  await store.commit([op], { actor: 'manager' });
  return { ca, box, newTokens };
}
