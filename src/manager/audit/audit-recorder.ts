import type { Store, WatchHandle } from '../store/store.js';
import { auditActor, type AuditWriter } from './audit-writer.js';
import { auditDraftsOf, clusterScope } from './change-entries.js';

/**
 * Turns every committed store change into audit entries. It watches the change log from the
 * revision the head says was audited last; since the head is written in the same commit as the
 * entries, a restart neither loses nor repeats a change.
 */
export class AuditRecorder {
  private handle: WatchHandle | undefined;

  constructor(
    private readonly store: Store,
    private readonly writer: AuditWriter,
  ) {}

  async start(): Promise<void> {
    const { revision } = await this.writer.head();
    this.handle = this.store.watch(
      revision,
      (batch) => void this.writer.enqueue(auditDraftsOf(batch), batch.revision),
      (oldest) => {
        // The change log no longer holds what happened while nothing audited it: say so in the
        // history rather than leave a silent hole.
        void this.writer.enqueue([
          {
            env: clusterScope,
            time: new Date().toISOString(),
            actor: auditActor,
            action: 'audit-gap',
            object: { kind: 'audit' },
            details: { fromRevision: revision + 1, toRevision: oldest - 1 },
          },
        ]);
      },
    );
  }

  /** Stops watching and writes what is queued. */
  async stop(): Promise<void> {
    this.handle?.close();
    this.handle = undefined;
    try {
      await this.writer.flush();
    } finally {
      this.writer.close();
    }
  }
}
