import type { FastifyRequest } from 'fastify';
import { ShoalError } from '../../api/errors.js';
import type { AccountObject, ApiKeyObject } from '../auth/account-object.js';
import { isGranted, type Principal, type Role } from '../auth/role-permissions.js';
import type { Caller, RequestContext } from '../controlapi/request-context.js';
import type { Authorizer } from './authorizer.js';
import type { Permission } from './route.js';

export interface CredentialSources {
  apiKeys: { verify(accessKey: string, secret: string): Promise<ApiKeyObject | undefined> };
  sessions: { resolve(token: string): Promise<AccountObject | undefined> };
}

type Credential = { type: 'basic'; accessKey: string; secret: string } | { type: 'bearer'; token: string };

const unauthenticated = (message: string): ShoalError => new ShoalError('unauthenticated', message);

/** `Authorization: Basic base64(ACCESS:SECRET)` (API keys, as curl -u sends) or `Bearer <session token>`. */
export function credentialOf(request: FastifyRequest): Credential | undefined {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return undefined;
  const m = /^(\w+) +(\S+)$/.exec(header.trim());
  const scheme = m?.[1]?.toLowerCase();
  const value = m?.[2] ?? '';
  if (scheme === 'bearer') return { type: 'bearer', token: value };
  if (scheme === 'basic') {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { type: 'basic', accessKey: text.slice(0, colon), secret: text.slice(colon + 1) };
  }
  throw unauthenticated('authorization: send "Basic base64(ACCESS_KEY:SECRET)" or "Bearer SESSION_TOKEN"');
}

/**
 * STEP until environments have member lists: a non-admin account holds the role stored on it in
 * the `default` environment and no role anywhere else.
 */
function accountRole(account: AccountObject, env: string): Role | undefined {
  return env === 'default' ? account.defaultRole : undefined;
}

/**
 * Requires a credential on every route but public ones and decides the route's permission from
 * the roles table (`auth/role-permissions.ts`). An API key acts only in its own environment;
 * an administrator account acts everywhere. Refusals never echo the credential.
 */
export function credentialAuthorizer(sources: CredentialSources): Authorizer {
  return {
    async authorize(request: FastifyRequest, permission: Permission, env: string): Promise<RequestContext> {
      if (permission === 'public') return { actor: `anonymous@${request.ip}`, env };
      const credential = credentialOf(request);
      if (!credential) throw unauthenticated('credentials required: HTTP basic ACCESS_KEY:SECRET (an API key) or a Bearer session token from POST /v1/login');
      const caller = await callerOf(sources, credential, env);
      const principal: Principal = { admin: caller.admin, ...(caller.role ? { role: caller.role } : {}) };
      if (!isGranted(permission, principal)) throw new ShoalError('permission_denied', denial(caller, permission, env));
      return { actor: caller.type === 'account' ? `account:${caller.name}` : `apikey:${caller.id}`, env, caller };
    },
  };
}

async function callerOf(sources: CredentialSources, credential: Credential, env: string): Promise<Caller> {
  if (credential.type === 'basic') {
    const key = await sources.apiKeys.verify(credential.accessKey, credential.secret);
    if (!key) throw unauthenticated('the API key is unknown or revoked, or its secret is wrong');
    if (key.env !== env) throw new ShoalError('permission_denied', `API key "${key.name}" belongs to environment "${key.env}", not "${env}"`);
    return { type: 'apikey', id: key.id, name: key.name, admin: false, role: key.role };
  }
  const account = await sources.sessions.resolve(credential.token);
  if (!account) throw unauthenticated('the session is unknown or has expired; log in again');
  const role = accountRole(account, env);
  return { type: 'account', id: account.id, name: account.username, admin: account.admin, ...(role ? { role } : {}) };
}

function denial(caller: Caller, permission: Permission, env: string): string {
  const who = caller.type === 'account' ? `account "${caller.name}"` : `API key "${caller.name}"`;
  if (!caller.role) return `${who} has no role in environment "${env}"; ${permission} needs ${permission.endsWith(':admin') ? 'an administrator' : 'a role there'}`;
  return `role ${caller.role} of ${who} in environment "${env}" does not grant ${permission}`;
}
