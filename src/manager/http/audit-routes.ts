import type { AuditLog } from '../audit/audit-log.js';
import { auditFilterOf, auditQueryShape } from '../audit/audit-query.js';
import { withQuery } from './query.js';
import type { RouteDef } from './route.js';

/**
 * The audit history: an environment's entries for its members, the whole cluster's and the
 * chain check for administrators. `audit()` is read when a request arrives, so the route table
 * can be built (and checked against the docs) without the components.
 */
export function buildAuditRoutes(audit: () => AuditLog, now: () => number = Date.now): RouteDef[] {
  return [
    { method: 'GET', url: '/v1/audit', permission: 'audit:read', ...withQuery(auditQueryShape, (_i, ctx, q) => audit().query(ctx.env, auditFilterOf(q, now()))) },
    { method: 'GET', url: '/v1/audit/cluster', permission: 'audit:admin', ...withQuery(auditQueryShape, (_i, _ctx, q) => audit().query(undefined, auditFilterOf(q, now()))) },
    { method: 'GET', url: '/v1/audit/verify', permission: 'audit:admin', handler: () => audit().verify() },
  ];
}
