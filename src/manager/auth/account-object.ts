import type { AccountView, ApiKeyView } from '../../api/access-views.js';
import type { StoredObject } from '../store/store.js';
import type { Role } from './role-permissions.js';

/** Accounts, sessions and API keys as the store keeps them. None holds a credential in plaintext. */

/** Accounts belong to the cluster, not to an environment. */
export const clusterScope = '';

export interface AccountObject extends StoredObject {
  username: string;
  /** scrypt (`password-hash.ts`); never leaves the manager. */
  passwordHash: string;
  /** Administrators are granted everything everywhere; others hold the roles environments' member lists give them. */
  admin: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the API shows of accounts and keys (declared once, with the client's view). */
export type { AccountView, ApiKeyView };

export function accountView(a: AccountObject): AccountView {
  return { id: a.id, username: a.username, admin: a.admin, createdAt: a.createdAt, updatedAt: a.updatedAt };
}

/** A login session. Its id is the SHA-256 of the session token, so a store dump yields no usable token. */
export interface SessionObject extends StoredObject {
  accountId: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * An API key; its id is the access key. An environment key (no `accountId`) acts only in its
 * `env`, with its `role`. A personal key (`accountId`, stored in the cluster scope, no role)
 * acts as its account: admin flag and memberships, in every environment, as a session would.
 */
export interface ApiKeyObject extends StoredObject {
  name: string;
  /** Environment keys only. */
  role?: Role;
  /** Personal keys only: the account the key acts as. */
  accountId?: string;
  /** SHA-256 of the secret, hex. */
  secretHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt?: string;
}

export function apiKeyView(k: ApiKeyObject): ApiKeyView {
  return { accessKey: k.id, env: k.env, name: k.name, ...(k.role ? { role: k.role } : {}), createdBy: k.createdBy, createdAt: k.createdAt, ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}) };
}
