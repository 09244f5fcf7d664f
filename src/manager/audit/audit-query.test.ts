import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '../../api/audit.js';
import { ShoalError } from '../../api/errors.js';
import { matchesAudit, parseAuditQuery, selectAudit, selectAuditNewestFirst } from './audit-query.js';

const now = Date.parse('2024-05-01T12:00:00Z');

const entry = (seq: number, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  id: String(seq).padStart(12, '0'),
  env: 'default',
  version: seq,
  seq,
  time: new Date(now - (10 - seq) * 60_000).toISOString(),
  actor: 'account:ann',
  action: 'update',
  object: { kind: 'service', id: 'k3j4h5g6f7d8s9a0', name: 'web' },
  prevHash: '',
  hash: '',
  ...extra,
});

const field = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ShoalError && err.code === 'invalid_argument', String(err));
    return err.field;
  }
  assert.fail('expected a 400');
};

test('times are ISO 8601 or a duration back from now', () => {
  assert.equal(parseAuditQuery({ since: '1h' }, now).since, now - 3_600_000);
  assert.equal(parseAuditQuery({ since: '1h30m' }, now).since, now - 5_400_000);
  assert.equal(parseAuditQuery({ since: '7d' }, now).since, now - 7 * 86_400_000);
  assert.equal(parseAuditQuery({ until: '2024-04-30T10:00:00Z' }, now).until, Date.parse('2024-04-30T10:00:00Z'));
  assert.equal(parseAuditQuery({ since: '2024-04-30' }, now).since, Date.parse('2024-04-30'));
  assert.equal(parseAuditQuery({}, now).limit, 1000);
});

test('bad parameters are refused naming the parameter', () => {
  assert.equal(field(() => parseAuditQuery({ since: 'yesterday' }, now)), 'since');
  assert.equal(field(() => parseAuditQuery({ until: '5' }, now)), 'until');
  assert.equal(field(() => parseAuditQuery({ since: '1h', until: '2h' }, now)), 'until');
  assert.equal(field(() => parseAuditQuery({ limit: '0' }, now)), 'limit');
  assert.equal(field(() => parseAuditQuery({ limit: 'ten' }, now)), 'limit');
  assert.equal(field(() => parseAuditQuery({ limit: '10001' }, now)), 'limit');
  assert.equal(field(() => parseAuditQuery({ object: 'service/web/x' }, now)), 'object');
  assert.equal(field(() => parseAuditQuery({ action: 'Create;drop' }, now)), 'action');
  assert.equal(field(() => parseAuditQuery({ actor: '' }, now)), 'actor');
  assert.equal(field(() => parseAuditQuery({ since: ['1h', '2h'] } as unknown as Record<string, string>, now)), 'since');
});

test('filters: time range, actor (full or by name), object (kind/ref, id, id prefix, name, bare kind), actions', () => {
  const q = (query: Record<string, string>) => (e: AuditEntry) => matchesAudit(e, parseAuditQuery(query, now));
  const e = entry(5);
  assert.ok(q({ since: '6m', until: '4m' })(e));
  assert.ok(!q({ since: '4m' })(e));
  assert.ok(!q({ until: '6m' })(e));
  assert.ok(q({ actor: 'account:ann' })(e) && q({ actor: 'ann' })(e) && !q({ actor: 'bob' })(e));
  const viaKey = entry(5, { actor: 'account:ann (key AKABC)' });
  assert.ok(q({ actor: 'ann' })(viaKey) && q({ actor: 'AKABC' })(viaKey) && q({ actor: 'apikey:AKABC' })(viaKey) && !q({ actor: 'AKXYZ' })(viaKey));
  assert.ok(q({ actor: 'orchestrator' })(entry(5, { actor: 'orchestrator' })));
  for (const object of ['service/web', 'service/k3j4h5g6f7d8s9a0', 'service/k3j4h5', 'web', 'service']) assert.ok(q({ object })(e), object);
  for (const object of ['node/web', 'service/k3j', 'db', 'task']) assert.ok(!q({ object })(e), object);
  assert.ok(q({ action: 'create,update' })(e) && !q({ action: 'delete' })(e));
});

test('the newest matching entries, newest last, with a flag when more matched', () => {
  const entries = Array.from({ length: 9 }, (_, i) => entry(i + 1, i % 2 ? { actor: 'account:bob' } : {}));
  const result = selectAudit(entries, parseAuditQuery({ actor: 'ann', limit: '3' }, now));
  assert.deepEqual(result.entries.map((e) => e.seq), [5, 7, 9]);
  assert.equal(result.more, true);
  assert.equal(selectAudit(entries, parseAuditQuery({ actor: 'bob' }, now)).more, false);
});

test('read newest first a page at a time, the selection is the same and stops at the limit or past since', async () => {
  const entries = Array.from({ length: 40 }, (_, i) => entry(i + 1, { actor: i % 2 === 0 ? 'account:ann' : 'account:bob', time: new Date(now - (40 - i) * 60_000).toISOString() }));
  let pagesRead = 0;
  function* pages(): Generator<AuditEntry[]> {
    const newestFirst = [...entries].reverse();
    for (let i = 0; i < newestFirst.length; i += 5) {
      pagesRead += 1;
      yield newestFirst.slice(i, i + 5);
    }
  }
  for (const q of [{ actor: 'ann', limit: '3' }, { actor: 'bob' }, { since: '10m' }, {}]) {
    pagesRead = 0;
    const filter = parseAuditQuery(q, now);
    assert.deepEqual(await selectAuditNewestFirst(pages(), filter), selectAudit(entries, filter), JSON.stringify(q));
  }
  pagesRead = 0;
  await selectAuditNewestFirst(pages(), parseAuditQuery({ actor: 'ann', limit: '3' }, now));
  assert.equal(pagesRead, 2, 'four matches (the limit and one more) lie in the newest two pages');
  pagesRead = 0;
  await selectAuditNewestFirst(pages(), parseAuditQuery({ since: '12m' }, now));
  assert.equal(pagesRead, 3, 'the third page reaches past since');
});
