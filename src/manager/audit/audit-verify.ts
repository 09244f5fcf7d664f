import type { AuditEntry, AuditVerifyResult } from '../../api/audit.js';
import type { Store } from '../store/store.js';
import { entryHash, genesisHash } from './audit-hash.js';
import { anchorId, headId, listEntries, type AuditAnchor, type AuditHead } from './audit-records.js';

export interface ChainBounds {
  anchor: { seq: number; hash: string };
  head: { seq: number; hash: string };
}

/**
 * Walks the chain from the anchor to the head and reports the first entry that breaks it:
 * - `missing entry`: a sequence number with no entry (removed, or the newest ones cut off);
 * - `hash mismatch`: the entry's content no longer gives its hash (edited);
 * - `broken link`: the entry does not point at the hash of the one before (an entry edited and
 *   re-hashed, or replaced), or the chain does not end at the head's hash.
 */
export function verifyChain(entries: readonly AuditEntry[], bounds: ChainBounds): AuditVerifyResult {
  const { anchor, head } = bounds;
  let expected = anchor.seq + 1;
  let prev = anchor.hash;
  let checked = 0;
  const fail = (seq: number, reason: NonNullable<AuditVerifyResult['firstBad']>['reason']): AuditVerifyResult => ({ ok: false, checked, anchor, head, firstBad: { seq, reason } });
  for (const e of entries) {
    // Left over from retention or written after the head was read: outside what is verified.
    if (e.seq <= anchor.seq || e.seq > head.seq) continue;
    if (e.seq !== expected) return fail(expected, 'missing entry');
    if (entryHash(e) !== e.hash) return fail(e.seq, 'hash mismatch');
    if (e.prevHash !== prev) return fail(e.seq, 'broken link');
    prev = e.hash;
    expected += 1;
    checked += 1;
  }
  if (expected <= head.seq) return fail(expected, 'missing entry');
  if (prev !== head.hash) return fail(head.seq, 'broken link');
  return { ok: true, checked, anchor, head };
}

/** Reads the anchor, the head and the entries between them and verifies the chain. */
export async function verifyStoredChain(store: Store): Promise<AuditVerifyResult> {
  let head: AuditHead | undefined;
  let anchor: AuditAnchor | undefined;
  let entries: AuditEntry[] = [];
  // Another manager may append or prune while this reads: read again until the head held still.
  for (let attempt = 0; attempt < 5; attempt++) {
    head = await store.get<AuditHead>('audit', headId);
    anchor = await store.get<AuditAnchor>('audit', anchorId);
    entries = await listEntries(store);
    if ((await store.get<AuditHead>('audit', headId))?.version === head?.version) break;
  }
  const start = { seq: anchor?.seq ?? 0, hash: anchor?.hash ?? genesisHash };
  // Without a head object (never written, or removed) the newest entry is taken as the end, so
  // the walk still checks every link; a missing head with entries left is itself reported.
  const last = entries.at(-1);
  const end = head ? { seq: head.seq, hash: head.hash } : { seq: last?.seq ?? start.seq, hash: last?.hash ?? start.hash };
  const result = verifyChain(entries, { anchor: start, head: end });
  if (!result.ok) return result;
  if (!head && last) return { ...result, ok: false, firstBad: { seq: last.seq + 1, reason: 'missing entry' } };
  // Entries past a head that held still: the head was moved back.
  if (head && last && last.seq > head.seq) return { ...result, ok: false, firstBad: { seq: head.seq + 1, reason: 'broken link' } };
  return result;
}
