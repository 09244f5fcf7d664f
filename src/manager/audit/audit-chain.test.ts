import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '../../api/audit.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import type { Store } from '../store/store.js';
import { entryHash } from './audit-hash.js';
import { anchorId, entryId, headId, listEntries, type AuditAnchor, type AuditHead } from './audit-records.js';
import { verifyStoredChain } from './audit-verify.js';
import { AuditWriter } from './audit-writer.js';
import type { AuditDraft } from './change-entries.js';

const draft = (n: number, time = new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString()): AuditDraft => ({
  env: 'default',
  time,
  actor: 'account:ann',
  source: '192.0.2.1',
  action: 'update',
  object: { kind: 'service', id: `s${n}`, name: `web${n}` },
  revision: n,
  before: { spec: { replicas: n } },
  after: { spec: { replicas: n + 1 } },
});

/** A store holding a chain of `n` entries, written in a few commits. */
async function chainOf(n: number): Promise<{ store: Store; writer: AuditWriter }> {
  const store = memoryStore();
  const writer = new AuditWriter({ store, maxPerCommit: 4 });
  for (let i = 1; i <= n; i++) void writer.enqueue([draft(i)], i);
  await writer.flush();
  return { store, writer };
}

const entry = async (store: Store, seq: number): Promise<AuditEntry> => {
  const e = await store.get<AuditEntry>('audit', entryId(seq));
  assert.ok(e, `entry ${seq} exists`);
  return e;
};

test('an intact chain verifies: every entry links to the one before and the head names the last', async () => {
  const { store } = await chainOf(10);
  const entries = await listEntries(store);
  assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prevHash, entries[i - 1]?.hash);
  assert.deepEqual(await verifyStoredChain(store), { ok: true, checked: 10, anchor: { seq: 0, hash: '0'.repeat(64) }, head: { seq: 10, hash: entries[9]?.hash } });
});

test('the audit chain detects an edited entry: verify names its sequence number', async () => {
  const { store } = await chainOf(10);
  const e = await entry(store, 4);
  const edited: AuditEntry = { ...e, after: { spec: { replicas: 99 } } };
  await store.commit([{ op: 'put', kind: 'audit', value: edited }], { actor: 'intruder' });
  const result = await verifyStoredChain(store);
  assert.equal(result.ok, false);
  assert.deepEqual(result.firstBad, { seq: 4, reason: 'hash mismatch' });
  assert.equal(result.checked, 3, 'the entries before it check out');
});

test('an edited entry whose hash was recomputed breaks the link of the next one', async () => {
  const { store } = await chainOf(10);
  const e = await entry(store, 6);
  const forged: AuditEntry = { ...e, actor: 'account:someone-else' };
  forged.hash = entryHash(forged);
  await store.commit([{ op: 'put', kind: 'audit', value: forged }], { actor: 'intruder' });
  assert.deepEqual((await verifyStoredChain(store)).firstBad, { seq: 7, reason: 'broken link' });
});

test('a removed entry in the middle is reported as missing', async () => {
  const { store } = await chainOf(10);
  await store.commit([{ op: 'delete', kind: 'audit', id: entryId(5) }], { actor: 'intruder' });
  assert.deepEqual((await verifyStoredChain(store)).firstBad, { seq: 5, reason: 'missing entry' });
});

test('removing the newest entries is detected against the head; removing the head too is detected as well', async () => {
  const { store } = await chainOf(10);
  await store.commit([{ op: 'delete', kind: 'audit', id: entryId(10) }, { op: 'delete', kind: 'audit', id: entryId(9) }], { actor: 'intruder' });
  assert.deepEqual((await verifyStoredChain(store)).firstBad, { seq: 9, reason: 'missing entry' });
  await store.commit([{ op: 'delete', kind: 'audit', id: headId }], { actor: 'intruder' });
  assert.equal((await verifyStoredChain(store)).ok, false);
});

test('retention removes old entries oldest first and records the anchor, so the rest still verifies', async () => {
  const { store, writer } = await chainOf(10);
  const cutoff = Date.parse(draft(7).time); // entries 1..6 are older
  assert.equal(await writer.prune(cutoff), 6);
  assert.deepEqual((await listEntries(store)).map((e) => e.seq), [7, 8, 9, 10]);
  const anchor = await store.get<AuditAnchor>('audit', anchorId);
  assert.equal(anchor?.seq, 6);
  const result = await verifyStoredChain(store);
  assert.equal(result.ok, true);
  assert.equal(result.checked, 4);
  assert.equal(result.anchor.seq, 6);
  // Appends continue the chain after pruning, and removing the oldest kept entry is still caught.
  void writer.enqueue([draft(11)], 11);
  await writer.flush();
  assert.equal((await verifyStoredChain(store)).checked, 5);
  await store.commit([{ op: 'delete', kind: 'audit', id: entryId(7) }], { actor: 'intruder' });
  assert.deepEqual((await verifyStoredChain(store)).firstBad, { seq: 7, reason: 'missing entry' });
});

test('retention stops at the first entry young enough, so the kept entries stay one contiguous chain', async () => {
  const store = memoryStore();
  const writer = new AuditWriter({ store });
  // Entry 2 is older than entry 1 (a notice written while a batch was queued): pruning stops at 1.
  void writer.enqueue([draft(1, '2024-01-02T00:00:00.000Z'), draft(2, '2024-01-01T00:00:00.000Z')]);
  await writer.flush();
  assert.equal(await writer.prune(Date.parse('2024-01-01T12:00:00.000Z')), 0);
  assert.equal((await verifyStoredChain(store)).ok, true);
});

test('two writers on one store (two managers) never fork the chain nor record a store change twice', async () => {
  const store = memoryStore();
  const a = new AuditWriter({ store });
  const b = new AuditWriter({ store });
  for (let i = 1; i <= 20; i++) {
    void a.enqueue([draft(i)], i);
    void b.enqueue([draft(i)], i);
  }
  await Promise.all([a.flush(), b.flush()]);
  const entries = await listEntries(store);
  assert.deepEqual(entries.map((e) => e.revision), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal((await verifyStoredChain(store)).ok, true);
});

test('a head moved back is reported by verify, and appends continue after the newest entry rather than stall', async () => {
  const { store, writer } = await chainOf(6);
  const head = await store.get<AuditHead>('audit', headId);
  const e4 = await entry(store, 4);
  assert.ok(head);
  const movedBack: AuditHead = { ...head, seq: 4, hash: e4.hash, revision: 4 };
  await store.commit([{ op: 'put', kind: 'audit', value: movedBack }], { actor: 'intruder' });
  assert.deepEqual((await verifyStoredChain(store)).firstBad, { seq: 5, reason: 'broken link' });
  void writer.enqueue([draft(7)], 7);
  await writer.flush();
  assert.deepEqual((await listEntries(store)).map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal((await verifyStoredChain(store)).ok, true);
});

test('verify, query and retention read a long history a page at a time and give the event loop back between pages', async () => {
  const { store, writer } = await chainOf(1600);
  let turns = 0;
  let ticking = true;
  const tick = (): void => {
    turns += 1;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    const before = turns;
    assert.equal((await verifyStoredChain(store)).ok, true);
    // 1600 entries are four pages: a walk of them all at once would give no turn in between.
    assert.ok(turns - before >= 3, `the loop turned ${turns - before} times during verify`);
    const removed = await writer.prune(Date.UTC(2024, 0, 1, 0, 1500));
    assert.equal(removed, 1499, 'entries of minutes 1..1499 are older than the cutoff');
    assert.equal((await verifyStoredChain(store)).ok, true, 'the rest still verifies from the moved anchor');
  } finally {
    ticking = false;
  }
});
