import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../controlapi/request-context.js';
import type { QueryShape } from '../../api/query-params.js';

/**
 * What a route may do. Every route names one, so authentication and roles are decided in
 * `authorizer.ts` for all routes at once, never inside a handler.
 */
export type Permission =
  | 'public'
  /** Any authenticated caller, whatever its role (who am I, log out). */
  | 'authenticated'
  | 'cluster:read'
  /** The manager join token: whoever holds it can add managers, so only cluster administrators see it. */
  | 'cluster:admin'
  /** An environment's worker join token (show, rotate): whoever holds it adds nodes to the environment. */
  | 'token:write'
  | 'node:read'
  | 'node:write'
  | 'service:read'
  | 'service:write'
  /**
   * Binding host paths into containers (outside the environment's allowed host paths): a bind
   * of `/` or the engine's socket is root on the node, so owners only.
   */
  | 'host:mount'
  | 'event:read'
  /** Secret values: restricted and readonly callers never read or write them. */
  | 'secret:read'
  | 'secret:write'
  /** Configs are not secret: every role reads them (content included), writers change them. */
  | 'config:read'
  | 'config:write'
  /** Networks: every role sees them; those who change services create and remove them. */
  | 'network:read'
  | 'network:write'
  /** API keys of an environment: part of managing access, so owners only. */
  | 'apikey:read'
  | 'apikey:write'
  /** Accounts: cluster administrators only. */
  | 'account:admin'
  /** Creating and removing environments: cluster administrators only. */
  | 'environment:admin'
  /** Who holds which role in an environment. */
  | 'member:read'
  /** Granting and taking roles in an environment: part of managing access, so owners only. */
  | 'member:write'
  /** The environment's audit history: readable by every role (it holds no secrets). */
  | 'audit:read'
  /** The whole cluster's audit history and its chain check: cluster administrators only. */
  | 'audit:admin';

export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The query read with the route's `query` shape (`withQuery` hands it to the handler typed). */
  parsedQuery: Record<string, unknown>;
  body: unknown;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  permission: Permission;
  /** Status for a successful answer (default 200). */
  status?: number;
  /**
   * The path parameter naming the environment the route acts in (`/v1/environments/:name/...`).
   * The authorizer then checks the role in that environment, not in `?env=`: otherwise an owner
   * of `dev` could manage `prod`'s members by sending `?env=dev`.
   */
  envParam?: string;
  /**
   * The query parameters the route takes besides `env`, with their schemas (`query.ts`); any
   * other name, or a value outside its schema, is a 400 naming the parameter. None when absent.
   */
  query?: QueryShape;
  /** Returns the JSON body, or undefined when the handler wrote the reply itself (streams). */
  handler: (input: RouteInput, ctx: RequestContext) => Promise<unknown>;
}
