/**
 * A long audit history against the reads that walk it: `GET /v1/audit` (any role), verify and
 * the retention sweep. Reports how long each takes and the longest event-loop stall during it,
 * beside reading the whole kind at once (what every one of them did before they read pages).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectAuditNewestFirst } from '../src/manager/audit/audit-query.js';
import { entryPages } from '../src/manager/audit/audit-records.js';
import { verifyStoredChain } from '../src/manager/audit/audit-verify.js';
import { AuditWriter } from '../src/manager/audit/audit-writer.js';
import type { AuditDraft } from '../src/manager/audit/change-entries.js';
import { SqliteStore } from '../src/manager/store/sqlite-store.js';
import { msText, printTable } from './lib/table.js';

export interface AuditBenchRow {
  entries: number;
  operation: string;
  ms: number;
  maxStallMs: number;
}

const t0 = Date.UTC(2026, 0, 1);

function draft(n: number): AuditDraft {
  return {
    env: n % 4 === 0 ? 'prod' : 'default',
    time: new Date(t0 + n * 1000).toISOString(),
    actor: n % 10 === 0 ? 'account:ann' : 'dispatcher',
    source: '192.0.2.1',
    action: 'update',
    object: { kind: 'task', id: `t${n}`, name: `web.${n % 50}` },
    revision: n,
    before: { status: { state: 'starting' } },
    after: { status: { state: 'running', message: 'started' } },
  };
}

/** Runs `fn` while a 5 ms timer notes the longest gap between its turns (the final one included). */
async function measure(operation: string, entries: number, fn: () => Promise<unknown>): Promise<AuditBenchRow> {
  let last = performance.now();
  let maxGap = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const start = performance.now();
  await fn();
  const end = performance.now();
  clearInterval(probe);
  return { entries, operation, ms: end - start, maxStallMs: Math.max(maxGap, end - last) };
}

export async function auditHistoryBench(sizes: number[]): Promise<AuditBenchRow[]> {
  const rows: AuditBenchRow[] = [];
  for (const n of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-audit-'));
    const store = new SqliteStore(join(dir, 'shoal.db'));
    try {
      const writer = new AuditWriter({ store });
      // Written as a manager writes them, a few thousand at a time (the queue stays short).
      for (let i = 1; i <= n; i++) {
        void writer.enqueue([draft(i)], i);
        if (i % 2000 === 0) await writer.flush();
      }
      await writer.flush();
      rows.push(await measure('whole kind at once (before)', n, () => store.list('audit')));
      rows.push(await measure('GET /v1/audit?actor=ann&limit=100', n, () => selectAuditNewestFirst(entryPages(store, { env: 'default', order: 'desc' }), { limit: 100, actor: 'account:ann' })));
      rows.push(await measure('GET /v1/audit?actor=nobody (reads all)', n, () => selectAuditNewestFirst(entryPages(store, { env: 'default', order: 'desc' }), { limit: 100, actor: 'nobody' })));
      rows.push(await measure('verify', n, () => verifyStoredChain(store)));
      rows.push(await measure('retention sweep of the older half', n, () => writer.prune(t0 + (n / 2) * 1000)));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function printAuditHistory(rows: AuditBenchRow[]): void {
  printTable(
    'Audit history reads (SQLite, one process; pages of 100 entries, the event loop given back between pages; removals 500 per commit)',
    ['entries', 'operation', 'time (ms)', 'longest event-loop stall (ms)'],
    rows.map((r) => [r.entries.toLocaleString('en-US'), r.operation, msText(r.ms), msText(r.maxStallMs)]),
  );
}
