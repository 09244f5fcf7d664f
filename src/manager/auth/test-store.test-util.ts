import { SqliteStore } from '../store/sqlite-store.js';

/** An in-memory SQLite store for auth unit tests. */
export const memoryStore = (): SqliteStore => new SqliteStore(':memory:');
