import type { FileKind } from '../../api/secrets.js';
import type { StoredObject } from '../store/store.js';

/**
 * One version of a secret or config as the store keeps it. `sealed` is the content (as base64)
 * sealed with the cluster's SecretBox (AES-256-GCM, key in the manager's data dir), so the store
 * and its backups never hold it in plaintext. No digest is kept: a hash of a secret would let
 * anyone who reads the store confirm a guess.
 */
export interface StoredFileVersion {
  version: number;
  createdAt: string;
  size: number;
  sealed: string;
}

/** A secret or config (store kind = `kind`): a name claim per environment, and its kept versions. */
export interface FileObject extends StoredObject {
  kind: FileKind;
  name: string;
  createdAt: string;
  updatedAt: string;
  labels: Record<string, string>;
  /** The newest version number; versions only grow, also after old ones are pruned. */
  current: number;
  /** Oldest first. */
  versions: StoredFileVersion[];
}

/** Names are unique per environment and kind, claimed in the same commit as the object. */
export const fileClaimId = (kind: FileKind, env: string, name: string): string => `${kind}/${env}/${name}`;
