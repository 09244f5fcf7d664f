import { roles, type Role } from '../../api/access-views.js';
import type { Caller } from '../controlapi/request-context.js';
import type { Permission } from '../http/route.js';

/** Roles a caller can hold in one environment (issue 4's definitions), declared with the API views. */
export { roles, type Role };
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (roles as readonly string[]).includes(value);

/**
 * Who a permission is granted to: `anyone` (no credentials needed), `authenticated` (any valid
 * credential), `admin` (cluster administrators only), or the environment roles listed.
 * Administrators are granted every permission in every environment, so `admin` appears only
 * where nobody else is granted.
 */
export type Grantee = 'anyone' | 'authenticated' | 'admin' | Role;

const all: readonly Role[] = roles;
const writers: readonly Role[] = ['owner', 'member', 'restricted'];

/**
 * THE table: the authorizer decides from it and docs/API.md's route table is checked against it
 * (`routes.test.ts`), so the documentation and the code cannot disagree.
 * - owner: everything in the environment, members, keys and host paths included;
 * - member: services, stacks, secrets, networks; reads nodes;
 * - restricted: as member but no node changes and no secrets;
 * - readonly: reads everything but secrets.
 */
export const rolePermissions: Readonly<Record<Permission, readonly Grantee[]>> = {
  public: ['anyone'],
  authenticated: ['authenticated'],
  'cluster:read': all,
  'cluster:admin': ['admin'],
  'token:write': ['owner'],
  'node:read': all,
  'node:write': ['owner'],
  'service:read': all,
  'service:write': writers,
  'host:mount': ['owner'],
  'event:read': all,
  'secret:read': ['owner', 'member'],
  'secret:write': ['owner', 'member'],
  'config:read': all,
  'config:write': writers,
  'network:read': all,
  'network:write': writers,
  'apikey:read': ['owner'],
  'apikey:write': ['owner'],
  'account:admin': ['admin'],
  'environment:admin': ['admin'],
  'member:read': all,
  'member:write': ['owner'],
  'audit:read': all,
  'audit:admin': ['admin'],
};

/** Who a caller is once its credential checked out; `role` is its role in the request's environment. */
export interface Principal {
  admin: boolean;
  role?: Role;
}

export function isGranted(permission: Permission, principal: Principal | undefined): boolean {
  const grantees = rolePermissions[permission];
  if (grantees.includes('anyone')) return true;
  if (!principal) return false;
  if (principal.admin || grantees.includes('authenticated')) return true;
  return principal.role !== undefined && grantees.includes(principal.role);
}

/** The principal the table decides for: the caller's admin flag and its role in the request's environment. */
export function principalOf(caller: Pick<Caller, 'admin' | 'role'>): Principal {
  return { admin: caller.admin, ...(caller.role ? { role: caller.role } : {}) };
}

/**
 * Whether the request's caller holds a permission besides the route's, for what only the request's
 * content asks (a stack that writes secrets, a spec that binds host paths). No caller: the manager
 * runs open, whose authorizer grants everything.
 */
export function callerHolds(caller: Caller | undefined, permission: Permission): boolean {
  return !caller || isGranted(permission, principalOf(caller));
}

/** The roles column of docs/API.md for a permission, e.g. `owner, member` or `admin`. */
export function granteesText(permission: Permission): string {
  return rolePermissions[permission].join(', ');
}
