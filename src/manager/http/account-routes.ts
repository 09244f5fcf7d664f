import { z } from 'zod';
import type { MyAccountView } from '../../api/access-views.js';
import { ShoalError } from '../../api/errors.js';
import { parseOrThrow } from '../../api/validation.js';
import { accountView, type AccountObject } from '../auth/account-object.js';
import type { AccountApi } from '../auth/accounts.js';
import type { ApiKeyApi } from '../auth/api-keys.js';
import { hashCredential } from '../auth/credential-hash.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { EnvironmentApi } from '../environments/environments.js';
import type { AuditLog } from '../audit/audit-log.js';
import { credentialOf } from './credential-authorizer.js';
import type { RouteDef } from './route.js';

export interface AccountRouteDeps {
  accounts: AccountApi;
  apiKeys: ApiKeyApi;
  throttle: LoginThrottle;
  environments: EnvironmentApi;
  audit?: Pick<AuditLog, 'append'>;
}

const personalKeySchema = z.strictObject({ name: z.string() });

/**
 * Self-service for the calling account (by session or personal API key): who am I and where,
 * my password, my personal API keys. An environment key is no account and gets 403.
 */
export function buildAccountRoutes(deps: () => AccountRouteDeps): RouteDef[] {
  const me = async (ctx: RequestContext): Promise<AccountObject> => {
    if (!ctx.caller) throw new ShoalError('failed_precondition', 'this manager runs without authentication: there is no calling account');
    if (ctx.caller.type !== 'account') throw new ShoalError('permission_denied', `API key "${ctx.caller.name}" belongs to an environment, not to an account; log in or use a personal key`);
    const account = await deps().accounts.byId(ctx.caller.id);
    if (!account) throw new ShoalError('unauthenticated', 'the account was removed');
    return account;
  };
  return [
    {
      method: 'GET',
      url: '/v1/account',
      permission: 'authenticated',
      handler: async (_i, ctx): Promise<MyAccountView> => {
        const account = await me(ctx);
        return { ...accountView(account), environments: await deps().environments.rolesOf(account) };
      },
    },
    {
      method: 'POST',
      url: '/v1/account/password',
      permission: 'authenticated',
      handler: async (i, ctx) => {
        const account = await me(ctx);
        const { accounts, throttle, audit } = deps();
        // Guessing the current password through this route is guessing a login: same limits.
        const credential = credentialOf(i.request);
        const keep = credential?.type === 'bearer' ? hashCredential(credential.token) : undefined;
        try {
          return await throttle.attempt(account.username, i.request.ip, () => accounts.changeOwnPassword(ctx.actor, account.id, i.body, keep));
        } catch (err) {
          if (err instanceof ShoalError && err.code === 'unauthenticated') {
            // A wrong current password is a failed login by another route; not awaited, as at /v1/login.
            void audit?.append([{ actor: ctx.actor, source: i.request.ip, action: 'login-failed', object: { kind: 'account', id: account.id, name: account.username } }]);
          }
          throw err;
        }
      },
    },
    { method: 'GET', url: '/v1/account/apikeys', permission: 'authenticated', handler: async (_i, ctx) => deps().apiKeys.listPersonal((await me(ctx)).id) },
    {
      method: 'POST',
      url: '/v1/account/apikeys',
      permission: 'authenticated',
      status: 201,
      handler: async (i, ctx) => {
        const account = await me(ctx);
        const { name } = parseOrThrow(personalKeySchema, i.body);
        return deps().apiKeys.createPersonal(ctx.actor, account, name);
      },
    },
    {
      method: 'DELETE',
      url: '/v1/account/apikeys/:ref',
      permission: 'authenticated',
      handler: async (i, ctx) => deps().apiKeys.revokePersonal(ctx.actor, (await me(ctx)).id, i.params.ref ?? ''),
    },
  ];
}
