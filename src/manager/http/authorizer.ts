import type { FastifyRequest } from 'fastify';
import { defaultEnvironment } from '../../api/objects.js';
import { invalidArgument } from '../../api/errors.js';
import { namePattern } from '../../api/service-spec.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { Permission } from './route.js';

/**
 * The one place that decides who a caller is and whether the route's permission is granted in
 * the environment it acts in.
 */
export interface Authorizer {
  authorize(request: FastifyRequest, permission: Permission, env: string): Promise<RequestContext>;
}

/** The environment a request acts in: `?env=NAME`, else `default`. */
export function environmentOf(request: FastifyRequest): string {
  const env = (request.query as Record<string, unknown> | undefined)?.env;
  if (env === undefined) return defaultEnvironment;
  if (typeof env !== 'string' || !namePattern.test(env)) throw invalidArgument('env', 'must be an environment name');
  return env;
}

/**
 * Grants everything to whoever reaches the port: the manager's `auth: 'open'` mode, kept as the
 * default until the CLI can log in, which is why `shoal up` binds to loopback by default.
 * `credential-authorizer.ts` is the one used with `auth: 'required'`.
 */
export const loopbackAuthorizer: Authorizer = {
  authorize: (request, _permission, env) => Promise.resolve({ actor: `local@${request.ip}`, env }),
};
