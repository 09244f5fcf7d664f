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
 * The worker token of an environment other than `default`. It remembers which incarnation of
 * the environment it was made for, so that removing `prod` and creating a new `prod` never
 * lets the old environment's token join the new one.
 */
export interface EnvironmentJoinToken extends StoredJoinToken {
  envCreatedAt: string;
}

/**
 * The cluster object, readable by every manager: the root CA certificate (never its key, which
 * stays in the data dir of the manager that created it) and the join tokens.
 */
export interface ClusterObject extends StoredObject {
  createdAt: string;
  caCertificate: string;
  /**
   * The manager token (cluster-wide: managers belong to no environment) and the `default`
   * environment's worker token. Kept in this shape so clusters from before environments, and
   * the nodes they joined, carry on unchanged.
   */
  tokens: Record<JoinRole, StoredJoinToken>;
  /** Worker tokens of the other environments by name, made the first time one is asked for. */
  environmentTokens?: Record<string, EnvironmentJoinToken>;
}

/** The environment `tokens.worker` belongs to. */
export const defaultTokenEnvironment = 'default';

export const clusterId = 'cluster';
