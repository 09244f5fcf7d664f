import type { AuditAction, AuditEntry, AuditObjectRef, AuditVerifyResult, AuditDetails } from '../../api/audit.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../store/store.js';
import { selectAuditNewestFirst, type AuditFilter } from './audit-query.js';
import { entryPages } from './audit-records.js';
import { AuditRecorder } from './audit-recorder.js';
import { verifyStoredChain } from './audit-verify.js';
import { AuditWriter } from './audit-writer.js';
import { clusterScope } from './change-entries.js';

export const defaultAuditRetentionMs = 30 * 24 * 3600 * 1000;
const sweepPeriodMs = 3600_000;

export interface AuditLogOptions {
  store: Store;
  logger?: Logger;
  now?: () => number;
  /** Entries older than this are removed (default 30 days). */
  retentionMs?: number;
  coalesceMs?: number;
}

/** Something that happened but changed nothing in the store, such as a failed login. */
export interface AuditNotice {
  actor: string;
  source?: string;
  action: AuditAction;
  object: AuditObjectRef;
  /** Default: the cluster scope. */
  env?: string;
  details?: AuditDetails;
}

/**
 * The lasting audit history: every store change (through the recorder) and the notices
 * appended here, hash-chained, kept for the retention period, read and verified by the API.
 */
export class AuditLog {
  private readonly store: Store;
  private readonly logger: Logger | undefined;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly writer: AuditWriter;
  private readonly recorder: AuditRecorder;
  private sweep: NodeJS.Timeout | undefined;

  constructor(options: AuditLogOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? defaultAuditRetentionMs;
    this.writer = new AuditWriter({ store: options.store, ...(options.logger ? { logger: options.logger } : {}), ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}) });
    this.recorder = new AuditRecorder(options.store, this.writer);
  }

  /** Starts recording store changes (catching up from the last audited revision) and the retention sweep. */
  async start(): Promise<void> {
    await this.recorder.start();
    const sweep = (): void => {
      this.prune().catch((err: unknown) => this.logger?.warn({ err }, 'audit retention sweep failed'));
    };
    sweep();
    this.sweep = setInterval(sweep, sweepPeriodMs);
    this.sweep.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.sweep = undefined;
    await this.recorder.stop();
  }

  /** Records notices; the promise settles when they are written, and never rejects. */
  append(notices: AuditNotice[]): Promise<void> {
    const time = new Date(this.now()).toISOString();
    return this.writer.enqueue(notices.map(({ env, ...n }) => ({ env: env ?? clusterScope, time, ...n })));
  }

  /** Writes everything recorded so far (tests, shutdown). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** A failing write must not also stop reads of what is written: it is logged and retried on its own. */
  private async flushForRead(): Promise<void> {
    try {
      await this.writer.flush();
    } catch (err) {
      this.logger?.error({ err }, 'audit write failed; answering with the entries written so far');
    }
  }

  /** Removes the entries older than the retention period; returns how many. */
  prune(): Promise<number> {
    return this.writer.prune(this.now() - this.retentionMs);
  }

  /** The entries of one environment (`env`), or of the whole cluster (undefined), that pass the filter. */
  async query(env: string | undefined, filter: AuditFilter): Promise<{ entries: AuditEntry[]; more: boolean }> {
    // Changes already committed are in the answer, even those still waiting to be written together.
    await this.flushForRead();
    return selectAuditNewestFirst(entryPages(this.store, { ...(env !== undefined ? { env } : {}), order: 'desc' }), filter);
  }

  async verify(): Promise<AuditVerifyResult> {
    await this.flushForRead();
    // In the writer's lane, so neither an append nor retention moves the chain mid-walk.
    return this.writer.exclusive(() => verifyStoredChain(this.store));
  }
}
