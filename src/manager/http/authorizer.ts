import type { FastifyRequest } from 'fastify';
import { defaultEnvironment } from '../../api/objects.js';
import { invalidArgument, ShoalError } from '../../api/errors.js';
import { namePattern } from '../../api/service-spec.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import type { Permission } from './route.js';

/**
 * The one place that decides who a caller is and whether the route's permission is granted in
 * the environment it acts in.
 */
export interface Authorizer {
  authorize(request: FastifyRequest, permission: Permission, env: string): Promise<RequestContext>;
}

/** Whether an environment exists (and its member lists): what both authorizers read. */
export interface EnvironmentLookup {
  find(name: string): Promise<EnvironmentObject | undefined>;
}

/** The environment a request acts in: `?env=NAME`, else `default`. */
export function environmentOf(request: FastifyRequest): string {
  const env = (request.query as Record<string, unknown> | undefined)?.env;
  if (env === undefined) return defaultEnvironment;
  if (typeof env !== 'string' || !namePattern.test(env)) throw invalidArgument('env', 'must be an environment name');
  return env;
}

/**
 * Grants everything to whoever reaches the port, with no environment check: only tests of
 * routes that have nothing to do with access use it. The manager's `auth: 'open'` mode uses
 * `openAuthorizer`, and `auth: 'required'` (the default) `credential-authorizer.ts`.
 */
export const loopbackAuthorizer: Authorizer = {
  authorize: (request, _permission, env) => Promise.resolve({ actor: `local@${request.ip}`, env }),
};

/** The open mode with environments: grants everything, but an environment that does not exist is 404, as with credentials. */
export function openAuthorizer(environments: EnvironmentLookup): Authorizer {
  return {
    async authorize(request, permission, env) {
      if (permission !== 'public' && !(await environments.find(env))) throw new ShoalError('not_found', `environment "${env}" not found`);
      return { actor: `local@${request.ip}`, env };
    },
  };
}
