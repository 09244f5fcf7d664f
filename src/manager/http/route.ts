import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../controlapi/request-context.js';

/**
 * What a route may do. Every route names one, so authentication and roles are decided in
 * `authorizer.ts` for all routes at once, never inside a handler.
 */
export type Permission =
  | 'public'
  /** Any authenticated caller, whatever its role (who am I, log out). */
  | 'authenticated'
  | 'cluster:read'
  /** Join tokens: whoever holds one can add nodes, so only cluster administrators see them. */
  | 'cluster:admin'
  | 'node:read'
  | 'node:write'
  | 'service:read'
  | 'service:write'
  | 'event:read'
  /** Secret values: restricted and readonly callers never read or write them. */
  | 'secret:read'
  | 'secret:write'
  /** API keys of an environment: part of managing access, so owners only. */
  | 'apikey:read'
  | 'apikey:write'
  /** Accounts (and, later, environments): cluster administrators only. */
  | 'account:admin';

export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
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
  /** Returns the JSON body, or undefined when the handler wrote the reply itself (streams). */
  handler: (input: RouteInput, ctx: RequestContext) => Promise<unknown>;
}
