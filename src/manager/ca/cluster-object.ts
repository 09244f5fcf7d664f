import type { StoredObject } from '../store/store.js';
import type { NodeRole } from '../../lib/pki/certificate-identity.js';

export type JoinRole = NodeRole;
export const joinRoles = ['worker', 'manager'] as const;

/** A join token as stored: its SHA-256 (to check) and an AES-GCM sealed copy (to show). */
export interface StoredJoinToken {
  hash: string;
  sealed: string;
  rotatedAt: string;
}

/**
 * The cluster object, readable by every manager: the root CA certificate (never its key, which
 * stays in the data dir of the manager that created it) and the join tokens.
 */
export interface ClusterObject extends StoredObject {
  createdAt: string;
  caCertificate: string;
  tokens: Record<JoinRole, StoredJoinToken>;
}

export const clusterId = 'cluster';
