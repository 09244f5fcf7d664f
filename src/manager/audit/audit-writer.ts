import type { AuditEntry } from '../../api/audit.js';
import type { Logger } from '../../lib/logger.js';
import { ConflictError, type Op, type Store } from '../store/store.js';
import { entryHash, genesisHash } from './audit-hash.js';
import { anchorId, bookkeepingEnv, entryId, entryPages, headId, newestEntries, type AuditAnchor, type AuditHead } from './audit-records.js';
import type { AuditDraft } from './change-entries.js';

export interface AuditWriterOptions {
  store: Store;
  logger?: Logger;
  /** How long appends wait to be written together (default 200 ms): audit writes must not add a commit per change. */
  coalesceMs?: number;
  /** Most entries (or removals) in one commit (default 500). */
  maxPerCommit?: number;
}

/** A group of entries that must be written together: those of one store change batch. */
interface Unit {
  /** The store revision the drafts come from; absent for entries that are not store changes. */
  revision?: number;
  drafts: AuditDraft[];
  settle: () => void;
}

/** Where the chain ends and how far the store's change log has been audited. */
export interface ChainHead {
  seq: number;
  hash: string;
  revision: number;
  /** The stored head's version, for the conditional write; absent when there is none yet. */
  version?: number;
}

export const auditActor = 'audit';
const maxConflictsInARow = 5;

/**
 * The one writer of the chain in this manager. Appends are queued and written in order, several
 * at a time; every commit writes its entries and the head together, on the condition that the
 * head has not moved, so two managers appending at once cannot fork the chain: the loser reads
 * the new head, drops what the winner already audited, renumbers the rest and retries.
 * Retention runs through the same lane, so it never interleaves with an append.
 */
export class AuditWriter {
  private readonly store: Store;
  private readonly logger: Logger | undefined;
  private readonly coalesceMs: number;
  private readonly maxPerCommit: number;
  private queue: Unit[] = [];
  private lane: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: AuditWriterOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.coalesceMs = options.coalesceMs ?? 200;
    this.maxPerCommit = options.maxPerCommit ?? 500;
  }

  /** Queues entries; the promise settles once they are written (it never rejects: failures are retried). */
  enqueue(drafts: AuditDraft[], revision?: number): Promise<void> {
    if (drafts.length === 0) return Promise.resolve();
    return new Promise((settle) => {
      this.queue.push({ drafts, settle, ...(revision !== undefined ? { revision } : {}) });
      this.schedule(this.pendingCount() >= this.maxPerCommit ? 0 : this.coalesceMs);
    });
  }

  /** Writes everything queued so far. */
  flush(): Promise<void> {
    this.cancelTimer();
    return this.exclusive(() => this.drain());
  }

  /** Stops the timers; what is still queued is written only by an explicit flush. */
  close(): void {
    this.closed = true;
    this.cancelTimer();
  }

  /** Runs `fn` alone in the lane that appends and prunes, so it sees the chain at rest. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lane.then(fn, fn);
    this.lane = run.catch(() => undefined);
    return run;
  }

  /** The head as stored, or rebuilt from the newest entry when the head object is missing. */
  async head(): Promise<ChainHead> {
    const head = await this.store.get<AuditHead>('audit', headId);
    if (head) return { seq: head.seq, hash: head.hash, revision: head.revision, version: head.version };
    const anchor = await this.store.get<AuditAnchor>('audit', anchorId);
    const entries = await newestEntries(this.store);
    const last = entries[0];
    if (!last) return { seq: anchor?.seq ?? 0, hash: anchor?.hash ?? genesisHash, revision: 0 };
    // A removed head (damage or tampering; verify reports what is missing) must not stop the
    // history: continue after the newest entry there is.
    return { seq: last.seq, hash: last.hash, revision: Math.max(0, ...entries.map((e) => e.revision ?? 0)) };
  }

  /**
   * Removes entries older than `cutoff` (ms since the epoch), oldest first and stopping at the
   * first younger one so the rest stays a contiguous chain; the anchor keeps the last removed
   * entry's sequence number and hash, in the same commit as the removal.
   */
  prune(cutoff: number): Promise<number> {
    return this.exclusive(async () => {
      let removed = 0;
      for await (const page of entryPages(this.store)) {
        const young = page.findIndex((e) => Date.parse(e.time) >= cutoff);
        const old = young < 0 ? page : page.slice(0, young);
        removed += await this.removeOld(old);
        if (young >= 0) break;
      }
      return removed;
    });
  }

  /** Removes `old` (oldest first) in commits of at most maxPerCommit, moving the anchor with each. */
  private async removeOld(old: AuditEntry[]): Promise<number> {
    let removed = 0;
    while (removed < old.length) {
      const chunk = old.slice(removed, removed + this.maxPerCommit);
      const last = chunk.at(-1);
      if (!last) break;
      const anchor = await this.store.get<AuditAnchor>('audit', anchorId);
      const next: AuditAnchor = { id: anchorId, env: bookkeepingEnv, version: 0, seq: last.seq, hash: last.hash, time: last.time };
      const ops: Op[] = [
        ...chunk.map((e): Op => ({ op: 'delete', kind: 'audit', id: e.id })),
        anchor ? { op: 'put', kind: 'audit', value: next, expectVersion: anchor.version } : { op: 'create', kind: 'audit', value: next },
      ];
      await this.store.commit(ops, { actor: auditActor });
      removed += chunk.length;
    }
    return removed;
  }

  private pendingCount(): number {
    return this.queue.reduce((n, u) => n + u.drafts.length, 0);
  }

  private schedule(delayMs: number): void {
    if (this.closed || (this.timer && delayMs > 0)) return;
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exclusive(() => this.drain()).catch((err: unknown) => {
        this.logger?.error({ err }, 'audit write failed; retrying');
        this.schedule(1000);
      });
    }, delayMs);
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    let conflicts = 0;
    while (this.queue.length > 0) {
      try {
        await this.commitSome(conflicts > 0);
        conflicts = 0;
      } catch (err) {
        if (!(err instanceof ConflictError) || ++conflicts >= maxConflictsInARow) throw err;
      }
    }
  }

  /** `repair`: after a conflict, also look past the head for entries it does not cover. */
  private async commitSome(repair: boolean): Promise<void> {
    const head = await this.head();
    if (repair) {
      // A head moved back (damage or tampering) would make every append collide with an
      // existing entry and stop the history: continue after the newest entry instead.
      const last = (await newestEntries(this.store))[0];
      if (last && last.seq > head.seq) Object.assign(head, { seq: last.seq, hash: last.hash, revision: Math.max(head.revision, last.revision ?? 0) });
    }
    // Another manager may have audited these store changes already.
    const done = this.queue.filter((u) => u.revision !== undefined && u.revision <= head.revision);
    this.queue = this.queue.filter((u) => !done.includes(u));
    for (const u of done) u.settle();

    const taken: Unit[] = [];
    let count = 0;
    for (const u of this.queue) {
      if (taken.length > 0 && count + u.drafts.length > this.maxPerCommit) break;
      taken.push(u);
      count += u.drafts.length;
    }
    if (taken.length === 0) return;

    let { seq, hash } = head;
    const ops: Op[] = [];
    for (const draft of taken.flatMap((u) => u.drafts)) {
      seq += 1;
      const content = { id: entryId(seq), seq, prevHash: hash, ...draft };
      hash = entryHash(content);
      const entry: AuditEntry = { ...content, version: 0, hash };
      ops.push({ op: 'create', kind: 'audit', value: entry });
    }
    const revision = Math.max(head.revision, ...taken.map((u) => u.revision ?? 0));
    const nextHead: AuditHead = { id: headId, env: bookkeepingEnv, version: 0, seq, hash, revision };
    ops.push(head.version !== undefined ? { op: 'put', kind: 'audit', value: nextHead, expectVersion: head.version } : { op: 'create', kind: 'audit', value: nextHead });
    await this.store.commit(ops, { actor: auditActor });
    this.queue = this.queue.filter((u) => !taken.includes(u));
    for (const u of taken) u.settle();
  }
}
