import { createHash } from 'node:crypto';
import type { AuditEntry } from '../../api/audit.js';

/** The `prevHash` of the first entry ever written. */
export const genesisHash = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level, of the value as it reads back from the store
 * (undefined fields dropped), so the same entry hashes the same before and after storing.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(JSON.parse(JSON.stringify(value)) as unknown));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, sortKeys(record[k])]));
}

/**
 * sha256(prevHash + canonical JSON of the entry without `hash` and `version`). The version is
 * left out because the store assigns it when the entry is written, after hashing.
 */
export function entryHash(entry: Omit<AuditEntry, 'hash' | 'version'> & { hash?: string; version?: number }): string {
  const { hash: _h, version: _v, ...content } = entry;
  return createHash('sha256').update(entry.prevHash).update(canonicalJson(content)).digest('hex');
}
