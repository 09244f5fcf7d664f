import type { StoredObject } from '../store/store.js';
import type { Role } from './role-permissions.js';

/** Accounts, sessions and API keys as the store keeps them. None holds a credential in plaintext. */

/** Accounts belong to the cluster, not to an environment. */
export const clusterScope = '';

export interface AccountObject extends StoredObject {
  username: string;
  /** scrypt (`password-hash.ts`); never leaves the manager. */
  passwordHash: string;
  admin: boolean;
  /**
   * STEP until environments have member lists: the account's role in the `default`
   * environment. Other environments grant a non-admin account nothing yet.
   */
  defaultRole?: Role;
  createdAt: string;
  updatedAt: string;
}

/** What the API shows of an account. */
export interface AccountView {
  id: string;
  username: string;
  admin: boolean;
  defaultRole?: Role;
  createdAt: string;
  updatedAt: string;
}

export function accountView(a: AccountObject): AccountView {
  return { id: a.id, username: a.username, admin: a.admin, ...(a.defaultRole ? { defaultRole: a.defaultRole } : {}), createdAt: a.createdAt, updatedAt: a.updatedAt };
}

/** A login session. Its id is the SHA-256 of the session token, so a store dump yields no usable token. */
export interface SessionObject extends StoredObject {
  accountId: string;
  createdAt: string;
  expiresAt: string;
}

/** An API key: access to one environment (its `env`) with one role. Its id is the access key. */
export interface ApiKeyObject extends StoredObject {
  name: string;
  role: Role;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface ApiKeyView {
  accessKey: string;
  env: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt?: string;
}

export function apiKeyView(k: ApiKeyObject): ApiKeyView {
  return { accessKey: k.id, env: k.env, name: k.name, role: k.role, createdBy: k.createdBy, createdAt: k.createdAt, ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}) };
}
