import { z } from 'zod';
import { ShoalError } from '../../api/errors.js';
import { parseOrThrow } from '../../api/validation.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AccountApi } from '../auth/accounts.js';
import type { ApiKeyApi } from '../auth/api-keys.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { SessionApi } from '../auth/sessions.js';
import { credentialOf } from './credential-authorizer.js';
import type { RouteDef } from './route.js';

export interface AuthDeps {
  accounts: AccountApi;
  sessions: SessionApi;
  apiKeys: ApiKeyApi;
  throttle: LoginThrottle;
  /** Where failed logins are recorded (a successful one is recorded from the session it creates). */
  audit?: Pick<AuditLog, 'append'>;
}

const loginSchema = z.strictObject({ username: z.string().min(1).max(200), password: z.string().max(1024) });

/**
 * Login, accounts and API keys. `deps()` is read when a request arrives, so the route table can
 * be built (and checked against the docs) without the components.
 */
export function buildAuthRoutes(deps: () => AuthDeps): RouteDef[] {
  return [
    {
      method: 'POST',
      url: '/v1/login',
      permission: 'public',
      handler: async (i) => {
        const { username, password } = parseOrThrow(loginSchema, i.body);
        const { throttle, sessions, audit } = deps();
        try {
          return await throttle.attempt(username, i.request.ip, () => sessions.login(username, password));
        } catch (err) {
          if (err instanceof ShoalError && err.code === 'unauthenticated') {
            // Not awaited: the answer must not wait for the audit write, which retries on its own.
            void audit?.append([{ actor: 'anonymous', source: i.request.ip, action: 'login-failed', object: { kind: 'account', name: username } }]);
          }
          throw err;
        }
      },
    },
    {
      method: 'POST',
      url: '/v1/logout',
      permission: 'authenticated',
      handler: async (i, ctx) => {
        const credential = credentialOf(i.request);
        if (credential?.type === 'bearer') await deps().sessions.logout(credential.token, ctx.actor);
        return {};
      },
    },
    { method: 'GET', url: '/v1/whoami', permission: 'authenticated', handler: (_i, ctx) => Promise.resolve({ actor: ctx.actor, env: ctx.env, ...(ctx.caller ? { caller: ctx.caller } : {}) }) },

    { method: 'GET', url: '/v1/accounts', permission: 'account:admin', handler: () => deps().accounts.list() },
    { method: 'POST', url: '/v1/accounts', permission: 'account:admin', status: 201, handler: (i, ctx) => deps().accounts.create(ctx.actor, i.body) },
    { method: 'GET', url: '/v1/accounts/:ref', permission: 'account:admin', handler: (i) => deps().accounts.get(i.params.ref ?? '') },
    { method: 'POST', url: '/v1/accounts/:ref/password', permission: 'account:admin', handler: (i, ctx) => deps().accounts.passwd(ctx.actor, i.params.ref ?? '', i.body) },
    { method: 'DELETE', url: '/v1/accounts/:ref', permission: 'account:admin', handler: (i, ctx) => deps().accounts.remove(ctx.actor, i.params.ref ?? '') },

    { method: 'GET', url: '/v1/apikeys', permission: 'apikey:read', handler: (_i, ctx) => deps().apiKeys.list(ctx.env) },
    { method: 'POST', url: '/v1/apikeys', permission: 'apikey:write', status: 201, handler: (i, ctx) => deps().apiKeys.create(ctx.actor, ctx.env, i.body) },
    { method: 'DELETE', url: '/v1/apikeys/:ref', permission: 'apikey:write', handler: (i, ctx) => deps().apiKeys.revoke(ctx.actor, ctx.env, i.params.ref ?? '') },
  ];
}
