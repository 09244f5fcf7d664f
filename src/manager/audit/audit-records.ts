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

/** The entries of one environment, or of all, oldest first. Reads the whole history: tests only. */
export async function listEntries(store: Store, env?: string): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const page of entryPages(store, env !== undefined ? { env } : {})) all.push(...page);
  return all;
}

// Small enough that reading, parsing and hashing one page holds the event loop for a few
// milliseconds (bench/audit-history.ts).
const entryPageSize = 100;

/**
 * The entries of one environment (or of all) a page at a time, oldest first or newest first,
 * giving the event loop back between pages: a history of months may hold millions of entries,
 * and reading it at once held the manager (heartbeats included) for seconds.
 */
export async function* entryPages(store: Store, options: { env?: string; order?: 'asc' | 'desc' } = {}): AsyncGenerator<AuditEntry[]> {
  let from: string | undefined;
  for (;;) {
    const page = await store.listPage<AuditEntry>('audit', {
      ...(options.env !== undefined ? { env: options.env } : {}),
      order: options.order ?? 'asc',
      limit: entryPageSize,
      ...(from !== undefined ? { from } : {}),
    });
    const last = page.at(-1);
    if (!last) return;
    from = last.id;
    const entries = page.filter((o) => entryIdPattern.test(o.id));
    if (entries.length > 0) yield entries;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The newest entries (up to one page), newest first. */
export async function newestEntries(store: Store): Promise<AuditEntry[]> {
  for await (const page of entryPages(store, { order: 'desc' })) return page;
  return [];
}
