import type { AuditEntry, AuditVerifyResult } from '../../api/audit.js';
import type { Store } from '../store/store.js';
import { entryHash, genesisHash } from './audit-hash.js';
import { anchorId, entryPages, headId, newestEntries, type AuditAnchor, type AuditHead } from './audit-records.js';

export interface ChainBounds {
  anchor: { seq: number; hash: string };
  head: { seq: number; hash: string };
}

/**
 * Walks the chain from the anchor to the head, fed entries oldest first (a page at a time), and
 * reports the first entry that breaks it:
 * - `missing entry`: a sequence number with no entry (removed, or the newest ones cut off);
 * - `hash mismatch`: the entry's content no longer gives its hash (edited);
 * - `broken link`: the entry does not point at the hash of the one before (an entry edited and
 *   re-hashed, or replaced), or the chain does not end at the head's hash.
 */
export class ChainWalk {
  private expected: number;
  private prev: string;
  private checked = 0;
  private failed: AuditVerifyResult | undefined;

  constructor(private readonly bounds: ChainBounds) {
    this.expected = bounds.anchor.seq + 1;
    this.prev = bounds.anchor.hash;
  }

  /** False once the chain is broken: later entries cannot change the answer. */
  feed(entries: readonly AuditEntry[]): boolean {
    const { anchor, head } = this.bounds;
    for (const e of entries) {
      if (this.failed) return false;
      // Left over from retention or written after the head was read: outside what is verified.
      if (e.seq <= anchor.seq || e.seq > head.seq) continue;
      if (e.seq !== this.expected) this.fail(this.expected, 'missing entry');
      else if (entryHash(e) !== e.hash) this.fail(e.seq, 'hash mismatch');
      else if (e.prevHash !== this.prev) this.fail(e.seq, 'broken link');
      else {
        this.prev = e.hash;
        this.expected += 1;
        this.checked += 1;
      }
    }
    return !this.failed;
  }

  result(): AuditVerifyResult {
    const { anchor, head } = this.bounds;
    if (this.failed) return this.failed;
    if (this.expected <= head.seq) return this.fail(this.expected, 'missing entry');
    if (this.prev !== head.hash) return this.fail(head.seq, 'broken link');
    return { ok: true, checked: this.checked, anchor, head };
  }

  private fail(seq: number, reason: NonNullable<AuditVerifyResult['firstBad']>['reason']): AuditVerifyResult {
    this.failed = { ok: false, checked: this.checked, anchor: this.bounds.anchor, head: this.bounds.head, firstBad: { seq, reason } };
    return this.failed;
  }
}

/** The walk over entries at hand. */
export function verifyChain(entries: readonly AuditEntry[], bounds: ChainBounds): AuditVerifyResult {
  const walk = new ChainWalk(bounds);
  walk.feed(entries);
  return walk.result();
}

/**
 * Reads the anchor and the head, then walks the entries between them a page at a time (a long
 * history must not hold the event loop).
 */
export async function verifyStoredChain(store: Store): Promise<AuditVerifyResult> {
  let result: AuditVerifyResult | undefined;
  // Another manager may append or prune while this reads: walk again until the head held still.
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = await store.get<AuditHead>('audit', headId);
    const anchor = await store.get<AuditAnchor>('audit', anchorId);
    const start = { seq: anchor?.seq ?? 0, hash: anchor?.hash ?? genesisHash };
    // Without a head object (never written, or removed) the newest entry is taken as the end, so
    // the walk still checks every link; a missing head with entries left is itself reported.
    const last = (await newestEntries(store))[0];
    const end = head ? { seq: head.seq, hash: head.hash } : { seq: last?.seq ?? start.seq, hash: last?.hash ?? start.hash };
    const walk = new ChainWalk({ anchor: start, head: end });
    for await (const page of entryPages(store)) if (!walk.feed(page)) break;
    result = walk.result();
    if (result.ok && !head && last) result = { ...result, ok: false, firstBad: { seq: last.seq + 1, reason: 'missing entry' } };
    // Entries past a head that held still: the head was moved back.
    else if (result.ok && head && last && last.seq > head.seq) result = { ...result, ok: false, firstBad: { seq: head.seq + 1, reason: 'broken link' } };
    if ((await store.get<AuditHead>('audit', headId))?.version === head?.version) break;
  }
  return result ?? verifyChain([], { anchor: { seq: 0, hash: genesisHash }, head: { seq: 0, hash: genesisHash } });
}
