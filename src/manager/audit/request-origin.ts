import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChangeBatch, CommitOptions, Kind, ListFilter, Op, PageFilter, Store, StoredObject, WatchHandle } from '../store/store.js';

/** Where the API request being served came from. */
export interface RequestOrigin {
  source: string;
}

const origins = new AsyncLocalStorage<RequestOrigin>();

/** Runs `fn` (an HTTP handler) so that every store commit it causes carries the request's address. */
export function runWithOrigin<R>(origin: RequestOrigin, fn: () => R): R {
  return origins.run(origin, fn);
}

/**
 * A store whose commits take `source` from the request being served, so the audit history
 * knows the address of every API change without any call site passing it.
 *
 * Watch listeners run outside the request's context: a store delivers batches synchronously
 * inside the commit, and a control loop woken there would otherwise carry the client's address
 * into every timer it sets and every commit it makes afterwards.
 */
export function withRequestOrigin(store: Store): Store {
  return new OriginStore(store);
}

class OriginStore implements Store {
  constructor(private readonly inner: Store) {}

  revision(): Promise<number> {
    return this.inner.revision();
  }

  get<T extends StoredObject>(kind: Kind, id: string): Promise<T | undefined> {
    return this.inner.get<T>(kind, id);
  }

  list<T extends StoredObject>(kind: Kind, filter?: ListFilter): Promise<T[]> {
    return this.inner.list<T>(kind, filter);
  }

  commit(ops: Op[], options: CommitOptions): Promise<number> {
    const source = options.source ?? origins.getStore()?.source;
    return this.inner.commit(ops, source !== undefined ? { ...options, source } : options);
  }

  watch(fromRevision: number, listener: (batch: ChangeBatch) => void, onCompacted?: (oldest: number) => void): WatchHandle {
    return this.inner.watch(
      fromRevision,
      (batch) => origins.exit(() => listener(batch)),
      onCompacted ? (oldest) => origins.exit(() => onCompacted(oldest)) : undefined,
    );
  }

  listPage<T extends StoredObject>(kind: Kind, page: PageFilter): Promise<T[]> {
    return this.inner.listPage<T>(kind, page);
  }

  history(afterRevision: number, limit: number): Promise<ChangeBatch[]> {
    return this.inner.history(afterRevision, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
