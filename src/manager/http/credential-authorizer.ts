import type { FastifyRequest } from 'fastify';
import { ShoalError } from '../../api/errors.js';
import type { AccountObject, ApiKeyObject } from '../auth/account-object.js';
import { isGranted, principalOf, type Role } from '../auth/role-permissions.js';
import type { Caller, RequestContext } from '../controlapi/request-context.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import type { Authorizer, EnvironmentLookup } from './authorizer.js';
import type { Permission } from './route.js';

export interface CredentialSources {
  apiKeys: { verify(accessKey: string, secret: string): Promise<ApiKeyObject | undefined> };
  sessions: { resolve(token: string): Promise<AccountObject | undefined> };
  /** A personal API key's account. */
  accounts: { byId(id: string): Promise<AccountObject | undefined> };
  /** Where accounts' roles are (member lists), and whether the environment exists at all. */
  environments: EnvironmentLookup;
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
 * Requires a credential on every route but public ones and decides the route's permission from
 * the roles table (`auth/role-permissions.ts`). Order: an unknown or bad credential is 401
 * before anything else, an environment that does not exist is 404, then the role decides (403).
 * An environment key acts only in its own environment; an account (by session or personal key)
 * holds the role its membership gives it, and an administrator acts everywhere. Refusals never
 * echo the credential.
 */
export function credentialAuthorizer(sources: CredentialSources): Authorizer {
  return {
    async authorize(request: FastifyRequest, permission: Permission, env: string): Promise<RequestContext> {
      if (permission === 'public') return { actor: `anonymous@${request.ip}`, env };
      const credential = credentialOf(request);
      if (!credential) throw unauthenticated('credentials required: HTTP basic ACCESS_KEY:SECRET (an API key) or a Bearer session token from POST /v1/login');
      const identity = await identify(sources, credential);
      const environment = await sources.environments.find(env);
      if (!environment) throw new ShoalError('not_found', `environment "${env}" not found`);
      const caller = callerIn(identity, environment);
      if (!isGranted(permission, principalOf(caller))) throw new ShoalError('permission_denied', denial(caller, permission, env));
      return { actor: actorOf(identity), env, caller };
    },
  };
}

/** Who a credential belongs to, before any environment is considered. */
type Identity = { type: 'account'; account: AccountObject; viaKey?: string } | { type: 'apikey'; key: ApiKeyObject & { role: Role } };

async function identify(sources: CredentialSources, credential: Credential): Promise<Identity> {
  if (credential.type === 'basic') {
    const key = await sources.apiKeys.verify(credential.accessKey, credential.secret);
    if (!key) throw unauthenticated('the API key is unknown or revoked, or its secret is wrong');
    if (key.accountId !== undefined) {
      const account = await sources.accounts.byId(key.accountId);
      if (!account) throw unauthenticated('the API key is unknown or revoked, or its secret is wrong');
      return { type: 'account', account, viaKey: key.id };
    }
    // A key with neither account nor role grants nothing; treat it as the broken credential it is.
    if (!key.role) throw unauthenticated('the API key is unknown or revoked, or its secret is wrong');
    return { type: 'apikey', key: { ...key, role: key.role } };
  }
  const account = await sources.sessions.resolve(credential.token);
  if (!account) throw unauthenticated('the session is unknown or has expired; log in again');
  return { type: 'account', account };
}

function callerIn(identity: Identity, env: EnvironmentObject): Caller {
  if (identity.type === 'apikey') {
    const { key } = identity;
    return { type: 'apikey', id: key.id, name: key.name, admin: false, envKey: { env: key.env, role: key.role }, ...(key.env === env.name ? { role: key.role } : {}) };
  }
  const { account, viaKey } = identity;
  const role = env.members[account.id];
  return { type: 'account', id: account.id, name: account.username, admin: account.admin, ...(role ? { role } : {}), ...(viaKey ? { accessKey: viaKey } : {}) };
}

/** The actor changes are recorded under: the account, and the personal key when one was used. */
function actorOf(identity: Identity): string {
  if (identity.type === 'apikey') return `apikey:${identity.key.id}`;
  return identity.viaKey ? `account:${identity.account.username} (key ${identity.viaKey})` : `account:${identity.account.username}`;
}

function denial(caller: Caller, permission: Permission, env: string): string {
  const who = caller.type === 'account' ? `account "${caller.name}"` : `API key "${caller.name}"`;
  if (caller.envKey && caller.envKey.env !== env) return `${who} belongs to environment "${caller.envKey.env}", not "${env}"`;
  if (!caller.role) return `${who} has no role in environment "${env}"; ${permission} needs ${permission.endsWith(':admin') ? 'an administrator' : 'a role there'}`;
  return `role ${caller.role} of ${who} in environment "${env}" does not grant ${permission}`;
}
