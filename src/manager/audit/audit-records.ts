import type { AuditEntry } from '../../api/audit.js';
import type { Store, StoredObject } from '../store/store.js';
import { clusterScope } from './change-entries.js';

/**
 * How the audit history lies in the store: every entry is an object of kind `audit` whose id is
 * its zero-padded sequence number, beside two bookkeeping objects of the same kind. Plain store
 * objects, so any backend (SQLite, etcd) keeps them without audit-specific queries.
 */

/**
 * The newest entry and the store revision audited up to. Written in the same commit as the
 * entries it covers, so a restart resumes exactly where the last commit ended.
 */
export interface AuditHead extends StoredObject {
  seq: number;
  hash: string;
  revision: number;
}

/** The last entry retention removed: verification starts after it. */
export interface AuditAnchor extends StoredObject {
  seq: number;
  hash: string;
  time: string;
}

export const headId = 'head';
export const anchorId = 'anchor';
export const bookkeepingEnv = clusterScope;

export const entryId = (seq: number): string => String(seq).padStart(12, '0');
const entryIdPattern = /^\d{12,}$/;

/** The entries of one environment, or of all, oldest first. */
export async function listEntries(store: Store, env?: string): Promise<AuditEntry[]> {
  const objects = await store.list<AuditEntry>('audit', env !== undefined ? { env } : {});
  return objects.filter((o) => entryIdPattern.test(o.id)).sort((a, b) => a.seq - b.seq);
}
