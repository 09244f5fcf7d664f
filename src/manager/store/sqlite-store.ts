import Database from 'better-sqlite3';
import { createPrivateFile } from '../../lib/private-files.js';
import {
  ConflictError,
  indexValues,
  type ChangeBatch,
  type Change,
  type CommitOptions,
  type Kind,
  type ListFilter,
  type Op,
  type PageFilter,
  type Store,
  type StoredObject,
  type WatchHandle,
} from './store.js';

interface ObjectRow {
  data: string;
}
interface ChangeRow {
  revision: number;
  time: string;
  actor: string;
  source: string | null;
  changes: string;
}

export interface SqliteStoreOptions {
  /** Change batches kept for watchers that resume from an old revision. */
  historyLimit?: number;
}

/**
 * The embedded backend. One writer (this process); WAL journal so readers never block and a
 * kill -9 leaves either the whole last transaction or none of it.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly listeners = new Set<(batch: ChangeBatch) => void>();
  private rev: number;
  private readonly historyLimit: number;
  private commitsSincePrune = 0;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    // Made 0600 before SQLite opens it: SQLite would make it 0644, and gives the -wal and -shm
    // files the database file's mode.
    if (path !== ':memory:') createPrivateFile(path);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        kind TEXT NOT NULL, id TEXT NOT NULL, env TEXT NOT NULL, version INTEGER NOT NULL,
        name TEXT, service_id TEXT, node_id TEXT, data TEXT NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX IF NOT EXISTS objects_name ON objects (kind, env, name);
      CREATE INDEX IF NOT EXISTS objects_service ON objects (kind, service_id);
      CREATE INDEX IF NOT EXISTS objects_node ON objects (kind, node_id);
      CREATE TABLE IF NOT EXISTS changes (
        revision INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, changes TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    // Databases made before the audit history lack the request address of each change.
    const changeColumns = this.db.prepare('PRAGMA table_info(changes)').all() as { name: string }[];
    if (!changeColumns.some((c) => c.name === 'source')) this.db.exec('ALTER TABLE changes ADD COLUMN source TEXT');
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'revision'`).get() as { value: number } | undefined;
    this.rev = row?.value ?? 0;
    this.historyLimit = options.historyLimit ?? 20000;
  }

  revision(): Promise<number> {
    return Promise.resolve(this.rev);
  }

  get<T extends StoredObject>(kind: Kind, id: string): Promise<T | undefined> {
    const row = this.db.prepare('SELECT data FROM objects WHERE kind = ? AND id = ?').get(kind, id) as ObjectRow | undefined;
    return Promise.resolve(row ? (JSON.parse(row.data) as T) : undefined);
  }

  list<T extends StoredObject>(kind: Kind, filter: ListFilter = {}): Promise<T[]> {
    const { clauses, params } = this.whereOf(kind, filter);
    const rows = this.db
      .prepare(`SELECT data FROM objects WHERE ${clauses.join(' AND ')} ORDER BY rowid`)
      .all(...params) as ObjectRow[];
    return Promise.resolve(rows.map((r) => JSON.parse(r.data) as T));
  }

  listPage<T extends StoredObject>(kind: Kind, page: PageFilter): Promise<T[]> {
    const { clauses, params } = this.whereOf(kind, page);
    const desc = page.order === 'desc';
    if (page.from !== undefined) {
      clauses.push(desc ? 'id < ?' : 'id > ?');
      params.push(page.from);
    }
    const limit = Math.max(0, Math.floor(page.limit));
    const rows = this.db
      .prepare(`SELECT data FROM objects WHERE ${clauses.join(' AND ')} ORDER BY id ${desc ? 'DESC' : 'ASC'} LIMIT ${limit}`)
      .all(...params) as ObjectRow[];
    return Promise.resolve(rows.map((r) => JSON.parse(r.data) as T));
  }

  private whereOf(kind: Kind, filter: ListFilter): { clauses: string[]; params: string[] } {
    const clauses = ['kind = ?'];
    const params: string[] = [kind];
    if (filter.env !== undefined) {
      clauses.push('env = ?');
      params.push(filter.env);
    }
    const columns = { name: 'name', serviceId: 'service_id', nodeId: 'node_id' } as const;
    for (const [field, value] of Object.entries(filter.where ?? {})) {
      if (value === undefined) continue;
      clauses.push(`${columns[field as keyof typeof columns]} = ?`);
      params.push(value);
    }
    return { clauses, params };
  }

  commit(ops: Op[], options: CommitOptions): Promise<number> {
    if (ops.length === 0) return Promise.resolve(this.rev);
    const time = new Date().toISOString();
    const revision = this.rev + 1;
    const changes: Change[] = [];
    const getRow = this.db.prepare('SELECT data FROM objects WHERE kind = ? AND id = ?');
    const upsert = this.db.prepare(`
      INSERT INTO objects (kind, id, env, version, name, service_id, node_id, data)
      VALUES (@kind, @id, @env, @version, @name, @serviceId, @nodeId, @data)
      ON CONFLICT (kind, id) DO UPDATE SET env = excluded.env, version = excluded.version,
        name = excluded.name, service_id = excluded.service_id, node_id = excluded.node_id, data = excluded.data`);
    const remove = this.db.prepare('DELETE FROM objects WHERE kind = ? AND id = ?');
    const apply = this.db.transaction(() => {
      for (const op of ops) {
        const id = op.op === 'delete' ? op.id : op.value.id;
        const row = getRow.get(op.kind, id) as ObjectRow | undefined;
        const prev = row ? (JSON.parse(row.data) as StoredObject) : undefined;
        if (op.op === 'create' && prev) throw new ConflictError(op.kind, id, `${op.kind} ${id} already exists`);
        if (op.op !== 'create' && op.expectVersion !== undefined && prev?.version !== op.expectVersion) {
          throw new ConflictError(op.kind, id, `${op.kind} ${id} changed since version ${op.expectVersion}`);
        }
        if (op.op === 'delete') {
          if (!prev) throw new ConflictError(op.kind, id, `${op.kind} ${id} does not exist`);
          remove.run(op.kind, id);
          changes.push({ kind: op.kind, id, type: 'delete', prev });
        } else {
          const value = { ...op.value, version: revision };
          upsert.run({ kind: op.kind, id, env: value.env, version: revision, ...indexValues(value), data: JSON.stringify(value) });
          changes.push({ kind: op.kind, id, type: 'put', value, ...(prev ? { prev } : {}) });
        }
      }
      this.db.prepare('INSERT INTO changes (revision, time, actor, source, changes) VALUES (?, ?, ?, ?, ?)').run(revision, time, options.actor, options.source ?? null, JSON.stringify(changes));
      this.db.prepare(`INSERT INTO meta (key, value) VALUES ('revision', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(revision);
    });
    try {
      apply();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.rev = revision;
    if (++this.commitsSincePrune >= 500) this.pruneHistory();
    const batch: ChangeBatch = { revision, time, actor: options.actor, ...(options.source !== undefined ? { source: options.source } : {}), changes };
    for (const l of [...this.listeners]) {
      try {
        l(batch);
      } catch {
        // A watcher's failure is its own: it must not fail a commit that already happened.
      }
    }
    return Promise.resolve(revision);
  }

  history(afterRevision: number, limit: number): Promise<ChangeBatch[]> {
    const rows = this.db.prepare('SELECT * FROM changes WHERE revision > ? ORDER BY revision LIMIT ?').all(afterRevision, limit) as ChangeRow[];
    return Promise.resolve(rows.map(batchOf));
  }

  watch(fromRevision: number, listener: (batch: ChangeBatch) => void, onCompacted?: (oldest: number) => void): WatchHandle {
    if (fromRevision < this.rev) {
      const oldest = (this.db.prepare('SELECT MIN(revision) AS r FROM changes').get() as { r: number | null }).r;
      if (oldest !== null && fromRevision + 1 < oldest) onCompacted?.(oldest);
      const rows = this.db.prepare('SELECT * FROM changes WHERE revision > ? ORDER BY revision').all(fromRevision) as ChangeRow[];
      for (const r of rows) listener(batchOf(r));
    }
    this.listeners.add(listener);
    return { close: () => this.listeners.delete(listener) };
  }

  close(): Promise<void> {
    this.listeners.clear();
    this.db.close();
    return Promise.resolve();
  }

  private pruneHistory(): void {
    this.commitsSincePrune = 0;
    this.db.prepare('DELETE FROM changes WHERE revision <= ?').run(this.rev - this.historyLimit);
  }
}

const batchOf = (r: ChangeRow): ChangeBatch => ({ revision: r.revision, time: r.time, actor: r.actor, ...(r.source !== null ? { source: r.source } : {}), changes: JSON.parse(r.changes) as Change[] });
