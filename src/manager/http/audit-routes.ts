import type { AuditLog } from '../audit/audit-log.js';
import { parseAuditQuery } from '../audit/audit-query.js';
import type { RouteDef } from './route.js';

/**
 * The audit history: an environment's entries for its members, the whole cluster's and the
 * chain check for administrators. `audit()` is read when a request arrives, so the route table
 * can be built (and checked against the docs) without the components.
 */
export function buildAuditRoutes(audit: () => AuditLog, now: () => number = Date.now): RouteDef[] {
  return [
    { method: 'GET', url: '/v1/audit', permission: 'audit:read', handler: (i, ctx) => audit().query(ctx.env, parseAuditQuery(i.query, now())) },
    { method: 'GET', url: '/v1/audit/cluster', permission: 'audit:admin', handler: (i) => audit().query(undefined, parseAuditQuery(i.query, now())) },
    { method: 'GET', url: '/v1/audit/verify', permission: 'audit:admin', handler: () => audit().verify() },
  ];
}
