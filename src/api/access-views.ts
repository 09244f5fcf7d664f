import type { EnvironmentQuotas } from './quotas.js';

/** Roles, callers, accounts, API keys and environments as the API shows them, shared by the manager and the client. */

/** The roles an environment grants (docs/API.md, "Roles"). */
export const roles = ['owner', 'member', 'restricted', 'readonly'] as const;
export type Role = (typeof roles)[number];

/** Who a request's credential belongs to, as `GET /v1/whoami` shows it. */
export interface CallerView {
  /** A personal API key's caller is its account: it acts with the account's admin flag and roles. */
  type: 'account' | 'apikey';
  /** Account id or access key. */
  id: string;
  /** Username or key name. */
  name: string;
  admin: boolean;
  /** The caller's role in the request's environment, if it holds one there. */
  role?: Role;
}

export interface AccountView {
  id: string;
  username: string;
  admin: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The calling account (`GET /v1/account`). */
export interface MyAccountView extends AccountView {
  /** The environments the account is a member of; administrators act in every one besides. */
  environments: { name: string; role: Role }[];
}

export interface ApiKeyView {
  /** The key's id, and the user name half of HTTP basic auth. */
  accessKey: string;
  /** The environment an environment key acts in; '' for a personal key, which acts as its account. */
  env: string;
  name: string;
  /** Environment keys only: personal keys act with their account's roles. */
  role?: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** What the API shows of an environment. */
export interface EnvironmentView {
  name: string;
  description?: string;
  /** Host path prefixes any caller who may write services may bind; other binds need the owner role (docs/SECURITY.md). */
  allowedHostPaths?: string[];
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** The caller's role there, when it holds one (administrators need none). */
  role?: Role;
  /** The quotas in force (defaults where an administrator set none). */
  quotas: EnvironmentQuotas;
}

export interface MemberView {
  accountId: string;
  username: string;
  role: Role;
}
