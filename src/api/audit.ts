/**
 * The audit history as `GET /v1/audit` returns it. Entries form a hash chain: each one's `hash`
 * covers its content and the `prevHash` of the one before, so an edited or removed entry breaks
 * the chain where it happened (`GET /v1/audit/verify`).
 */

/** Every action an entry can record (`GET /v1/audit?action=` takes only these). */
export const auditActions = ['create', 'update', 'delete', 'scale', 'rollback', 'update-status', 'task-state', 'task-desired', 'node-state', 'login', 'login-failed', 'logout', 'audit-gap'] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an entry is about. `id` is absent when it is unknown (a failed login's username). */
export interface AuditObjectRef {
  kind: string;
  id?: string;
  name?: string;
}

export type AuditDetails = Record<string, string | number | boolean | undefined>;

export interface AuditEntry {
  /** The sequence number, zero-padded to 12 digits. */
  id: string;
  /** The environment of the object; '' for cluster-wide objects (accounts, environments, logins). */
  env: string;
  version: number;
  seq: number;
  /** When the change was committed (ISO 8601). */
  time: string;
  /** `account:NAME`, `apikey:ACCESSKEY`, `anonymous`, or a component such as `orchestrator`. */
  actor: string;
  /** The client address of the API request that made the change; absent for internal actors. */
  source?: string;
  action: AuditAction;
  object: AuditObjectRef;
  /** The store revision of the change; absent for entries that are not store changes (a failed login). */
  revision?: number;
  /** The object (for services: name, spec and spec version) before and after, credentials redacted. */
  before?: unknown;
  after?: unknown;
  /** Small facts of the change: `from`/`to` of a state change, the replicas of a scale, ... */
  details?: AuditDetails;
  prevHash: string;
  hash: string;
}

export type AuditBreak = 'hash mismatch' | 'missing entry' | 'broken link';

export interface AuditVerifyResult {
  ok: boolean;
  /** Entries checked, from the anchor (the last entry removed by retention) to the head. */
  checked: number;
  /** Sequence number and hash the walk started after (0 and the genesis hash before any pruning). */
  anchor: { seq: number; hash: string };
  /** The newest entry the log says it has; keep a copy elsewhere to detect a later rewrite. */
  head: { seq: number; hash: string };
  firstBad?: { seq: number; reason: AuditBreak };
}
