/**
 * The store contract every backend (SQLite now, etcd later) implements. It knows nothing of
 * services or tasks beyond a kind name, an id, an environment and a few indexed fields, so no
 * query language leaks out of a backend. Every commit is atomic, gets the next revision, and
 * is delivered to watchers once, as one batch.
 */

/**
 * `name-claim` objects reserve a name within an environment, so uniqueness holds under
 * concurrent writers. `account`, `session` and `api-key` hold only hashes of credentials, and
 * the event mapping ignores them, so no credential material reaches the event stream.
 * `secret` and `config` hold their versions sealed (AES-GCM); the event mapping ignores them too.
 * `ipam` holds address-management claims (node subnets, network ranges, task addresses).
 */
export type Kind = 'node' | 'service' | 'task' | 'cluster' | 'name-claim' | 'account' | 'session' | 'api-key' | 'environment' | 'audit' | 'secret' | 'config' | 'stack' | 'ipam' | 'network';

export interface StoredObject {
  id: string;
  env: string;
  version: number;
}

/** Fields a backend indexes so lists can be filtered without reading every object. */
export const indexedFields = ['name', 'serviceId', 'nodeId'] as const;
export type IndexedField = (typeof indexedFields)[number];

export interface ListFilter {
  env?: string;
  where?: Partial<Record<IndexedField, string>>;
}

/** One page of a kind's objects in id order, for readers that must not read a whole kind at once. */
export interface PageFilter extends ListFilter {
  /** Start after this id (ascending) or before it (descending); from the first or last id when absent. */
  from?: string;
  order?: 'asc' | 'desc';
  limit: number;
}

export type Op =
  /** Fails with a conflict when an object with this id exists. */
  | { op: 'create'; kind: Kind; value: StoredObject }
  /** Fails with a conflict when expectVersion is given and differs from the stored one. */
  | { op: 'put'; kind: Kind; value: StoredObject; expectVersion?: number }
  | { op: 'delete'; kind: Kind; id: string; expectVersion?: number };

export interface Change {
  kind: Kind;
  id: string;
  type: 'put' | 'delete';
  value?: StoredObject;
  prev?: StoredObject;
}

export interface ChangeBatch {
  revision: number;
  time: string;
  actor: string;
  /** The network address the change came from (an API client's IP); absent for internal actors. */
  source?: string;
  changes: Change[];
}

export interface CommitOptions {
  /** Who made the change: an account, a key, or a component such as `orchestrator`. */
  actor: string;
  /** The network address of the request that caused the change, for the audit history. */
  source?: string;
}

export interface WatchHandle {
  close(): void;
}

export interface Store {
  revision(): Promise<number>;
  get<T extends StoredObject>(kind: Kind, id: string): Promise<T | undefined>;
  list<T extends StoredObject>(kind: Kind, filter?: ListFilter): Promise<T[]>;
  /** Up to `limit` objects in id order after (or before) `from`: a long kind read a page at a time. */
  listPage<T extends StoredObject>(kind: Kind, page: PageFilter): Promise<T[]>;
  /** Applies every op or none; sets each written object's version to the new revision. */
  commit(ops: Op[], options: CommitOptions): Promise<number>;
  /**
   * Delivers every batch after `fromRevision`, then each new one as it commits. Batches older
   * than the retained history are not replayed; `onCompacted` says so.
   */
  watch(fromRevision: number, listener: (batch: ChangeBatch) => void, onCompacted?: (oldest: number) => void): WatchHandle;
  /**
   * Up to `limit` kept batches after `afterRevision`, oldest first: a page of the history, for
   * readers that replay a long one a page at a time instead of all at once as `watch` does.
   */
  history(afterRevision: number, limit: number): Promise<ChangeBatch[]>;
  close(): Promise<void>;
}

export class ConflictError extends Error {
  constructor(
    readonly kind: Kind,
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Runs a read-modify-commit function again when another writer got there first. */
export async function retryOnConflict<R>(fn: () => Promise<R>, attempts = 5): Promise<R> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= attempts) throw err;
    }
  }
}

export function indexValues(value: StoredObject): Record<IndexedField, string | null> {
  const v = value as unknown as Record<string, unknown>;
  const pick = (k: IndexedField): string | null => (typeof v[k] === 'string' ? (v[k]) : null);
  return { name: pick('name'), serviceId: pick('serviceId'), nodeId: pick('nodeId') };
}
