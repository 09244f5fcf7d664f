import type { ShoalEvent } from '../../api/events.js';
import type { Store } from '../store/store.js';
import { eventsOf } from './event-mapping.js';

/** The user-facing event stream: store change batches mapped to events, from any kept revision. */
export class EventFeed {
  constructor(private readonly store: Store) {}

  revision(): Promise<number> {
    return this.store.revision();
  }

  subscribe(fromRevision: number, listener: (event: ShoalEvent) => void): () => void {
    const handle = this.store.watch(fromRevision, (batch) => {
      for (const e of eventsOf(batch)) listener(e);
    });
    return () => handle.close();
  }
}
