import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../controlapi/request-context.js';

/**
 * What a route may do. Every route names one, so authentication and roles are decided in
 * `authorizer.ts` for all routes at once, never inside a handler.
 */
export type Permission =
  | 'public'
  | 'cluster:read'
  /** Join tokens: whoever holds one can add nodes, so only cluster administrators see them. */
  | 'cluster:admin'
  | 'node:read'
  | 'node:write'
  | 'service:read'
  | 'service:write'
  | 'event:read';

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
