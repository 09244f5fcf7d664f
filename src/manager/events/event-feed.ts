import type { ShoalEvent } from '../../api/events.js';
import type { Store } from '../store/store.js';
import { eventsOf } from './event-mapping.js';

/** Where `follow` delivers events; `send` returning false means the reader is gone. */
export interface EventSink {
  send(event: ShoalEvent): boolean;
  /** Whether the reader is behind: the replay then waits for `drained()` before reading more. */
  readonly pressured: boolean;
  drained(): Promise<void>;
}

export interface EventFeedOptions {
  /** Change batches read from the history at a time during a replay (default 200). */
  pageSize?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Events a replay sends before it lets other work run, when its reader keeps up. */
const eventsPerTurn = 64;

/** The user-facing event stream: store change batches mapped to events, from any kept revision. */
export class EventFeed {
  private readonly pageSize: number;

  constructor(
    private readonly store: Store,
    options: EventFeedOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 200;
  }

  revision(): Promise<number> {
    return this.store.revision();
  }

  /**
   * Delivers the events after `fromRevision`, then each new one, until `signal` aborts. The
   * history is replayed a page at a time, yielding to the event loop between pages and every few
   * dozen events, and waiting while the reader is behind, so replaying a long history neither blocks the manager nor piles
   * up in memory; only the last stretch (the commits made while the last page was read) is
   * replayed by the store's watch, which then delivers new commits as they happen.
   */
  async follow(fromRevision: number, sink: EventSink, signal: AbortSignal): Promise<void> {
    let after = fromRevision;
    let sentSinceTurn = 0;
    for (;;) {
      const page = await this.store.history(after, this.pageSize);
      for (const batch of page) {
        if (signal.aborted) return;
        const events = eventsOf(batch);
        for (const e of events) if (!sink.send(e)) return;
        after = batch.revision;
        sentSinceTurn += events.length;
        if (sink.pressured) {
          await sink.drained();
          sentSinceTurn = 0;
        } else if (sentSinceTurn >= eventsPerTurn) {
          // Several readers replaying at once must not hold the loop for a page each in turn.
          await nextTurn();
          sentSinceTurn = 0;
        }
      }
      if (page.length < this.pageSize) break;
      await nextTurn();
    }
    if (signal.aborted) return;
    const handle = this.store.watch(after, (batch) => {
      for (const e of eventsOf(batch)) if (!sink.send(e)) return;
    });
    signal.addEventListener('abort', () => handle.close(), { once: true });
  }
}
