import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, type ChangeBatch, type Store, type StoredObject } from '../src/manager/store/store.js';

interface Thing extends StoredObject {
  name: string;
  serviceId?: string;
  payload?: string;
}

const thing = (id: string, extra: Partial<Thing> = {}): Thing => ({ id, env: 'default', version: 0, name: id, ...extra });

/** One suite for every store backend: SQLite now, etcd later. */
export function storeContract(backend: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`store contract: ${backend}`, () => {
    const withStore = (fn: (s: Store) => Promise<void>) => async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    };

    test('commit assigns increasing revisions and object versions', withStore(async (s) => {
      const r0 = await s.revision();
      const r1 = await s.commit([{ op: 'create', kind: 'service', value: thing('a') }], { actor: 't' });
      const r2 = await s.commit([{ op: 'create', kind: 'service', value: thing('b') }], { actor: 't' });
      assert.equal(r1, r0 + 1);
      assert.equal(r2, r1 + 1);
      assert.equal((await s.get<Thing>('service', 'a'))?.version, r1);
      assert.equal(await s.revision(), r2);
    }));

    test('create of an existing id conflicts and changes nothing', withStore(async (s) => {
      await s.commit([{ op: 'create', kind: 'service', value: thing('a', { payload: 'one' }) }], { actor: 't' });
      const rev = await s.revision();
      await assert.rejects(
        s.commit([
          { op: 'create', kind: 'service', value: thing('c') },
          { op: 'create', kind: 'service', value: thing('a', { payload: 'two' }) },
        ], { actor: 't' }),
        ConflictError,
      );
      assert.equal(await s.revision(), rev);
      assert.equal(await s.get('service', 'c'), undefined, 'the first op of the failed batch was rolled back');
      assert.equal((await s.get<Thing>('service', 'a'))?.payload, 'one');
    }));

    test('put with a stale expected version conflicts', withStore(async (s) => {
      const r1 = await s.commit([{ op: 'create', kind: 'service', value: thing('a') }], { actor: 't' });
      await s.commit([{ op: 'put', kind: 'service', value: thing('a', { payload: 'x' }), expectVersion: r1 }], { actor: 't' });
      await assert.rejects(
        s.commit([{ op: 'put', kind: 'service', value: thing('a', { payload: 'y' }), expectVersion: r1 }], { actor: 't' }),
        ConflictError,
      );
      assert.equal((await s.get<Thing>('service', 'a'))?.payload, 'x');
    }));

    test('delete removes, and deleting a missing object conflicts', withStore(async (s) => {
      await s.commit([{ op: 'create', kind: 'task', value: thing('t1') }], { actor: 't' });
      await s.commit([{ op: 'delete', kind: 'task', id: 't1' }], { actor: 't' });
      assert.equal(await s.get('task', 't1'), undefined);
      await assert.rejects(s.commit([{ op: 'delete', kind: 'task', id: 't1' }], { actor: 't' }), ConflictError);
    }));

    test('list filters by kind, environment and indexed fields', withStore(async (s) => {
      await s.commit([
        { op: 'create', kind: 'task', value: thing('t1', { serviceId: 's1' }) },
        { op: 'create', kind: 'task', value: thing('t2', { serviceId: 's2' }) },
        { op: 'create', kind: 'task', value: { ...thing('t3', { serviceId: 's1' }), env: 'prod' } },
        { op: 'create', kind: 'service', value: thing('s1') },
      ], { actor: 't' });
      assert.deepEqual((await s.list<Thing>('task')).map((t) => t.id).sort(), ['t1', 't2', 't3']);
      assert.deepEqual((await s.list<Thing>('task', { where: { serviceId: 's1' } })).map((t) => t.id).sort(), ['t1', 't3']);
      assert.deepEqual((await s.list<Thing>('task', { env: 'prod' })).map((t) => t.id), ['t3']);
      assert.deepEqual((await s.list<Thing>('service', { where: { name: 's1' } })).map((t) => t.id), ['s1']);
    }));

    test('watch replays from a revision, then delivers each commit once as one batch', withStore(async (s) => {
      const r1 = await s.commit([{ op: 'create', kind: 'node', value: thing('n1') }], { actor: 'a1' });
      await s.commit([{ op: 'create', kind: 'node', value: thing('n2') }], { actor: 'a2' });
      const seen: ChangeBatch[] = [];
      const w = s.watch(r1, (b) => seen.push(b));
      await s.commit([
        { op: 'put', kind: 'node', value: thing('n1', { payload: 'p' }) },
        { op: 'delete', kind: 'node', id: 'n2' },
      ], { actor: 'a3' });
      await new Promise((r) => setTimeout(r, 50));
      w.close();
      await s.commit([{ op: 'create', kind: 'node', value: thing('n3') }], { actor: 'a4' });
      assert.deepEqual(seen.map((b) => b.actor), ['a2', 'a3']);
      const last = seen[1];
      assert.ok(last);
      assert.equal(last.changes.length, 2);
      assert.equal(last.changes[0]?.type, 'put');
      assert.equal((last.changes[0]?.prev as Thing | undefined)?.payload, undefined);
      assert.equal((last.changes[0]?.value as Thing | undefined)?.payload, 'p');
      assert.equal(last.changes[1]?.type, 'delete');
      assert.equal(last.changes[1]?.prev?.id, 'n2');
    }));

    test('history gives the kept batches after a revision a page at a time, as watch replays them', withStore(async (s) => {
      const r0 = await s.revision();
      for (let i = 0; i < 5; i++) await s.commit([{ op: 'create', kind: 'node', value: thing(`h${i}`) }], { actor: `a${i}`, ...(i === 1 ? { source: '192.0.2.9' } : {}) });
      const first = await s.history(r0, 2);
      assert.deepEqual(first.map((b) => b.actor), ['a0', 'a1']);
      assert.equal(first[1]?.source, '192.0.2.9');
      const rest = await s.history(first[1]?.revision ?? 0, 10);
      assert.deepEqual(rest.map((b) => b.actor), ['a2', 'a3', 'a4']);
      assert.deepEqual(await s.history(await s.revision(), 10), []);
      const watched: ChangeBatch[] = [];
      s.watch(r0, (b) => watched.push(b)).close();
      assert.deepEqual([...first, ...rest], watched);
    }));

    test('listPage reads a kind in id order a page at a time, both ways, within an environment', withStore(async (s) => {
      const ids = ['p03', 'p01', 'p05', 'p02', 'p04'];
      await s.commit(ids.map((id) => ({ op: 'create' as const, kind: 'audit' as const, value: { ...thing(id), env: id === 'p04' ? 'other' : 'e1' } })), { actor: 't' });
      const up = await s.listPage<Thing>('audit', { env: 'e1', limit: 2 });
      assert.deepEqual(up.map((t) => t.id), ['p01', 'p02']);
      const next = await s.listPage<Thing>('audit', { env: 'e1', from: 'p02', limit: 10 });
      assert.deepEqual(next.map((t) => t.id), ['p03', 'p05'], 'after p02, without the other environment\'s p04');
      const down = await s.listPage<Thing>('audit', { order: 'desc', limit: 3 });
      assert.deepEqual(down.map((t) => t.id), ['p05', 'p04', 'p03']);
      assert.deepEqual((await s.listPage<Thing>('audit', { order: 'desc', from: 'p02', limit: 3 })).map((t) => t.id), ['p01']);
      assert.deepEqual(await s.listPage('audit', { from: 'p05', limit: 3 }), []);
      assert.deepEqual(await s.listPage('service', { limit: 3 }), [], 'another kind');
    }));

    test('a commit\'s source address reaches watchers, live and replayed', withStore(async (s) => {
      const r0 = await s.revision();
      const live: ChangeBatch[] = [];
      const w = s.watch(r0, (b) => live.push(b));
      await s.commit([{ op: 'create', kind: 'service', value: thing('a') }], { actor: 'account:ann', source: '192.0.2.7' });
      await s.commit([{ op: 'create', kind: 'service', value: thing('b') }], { actor: 'orchestrator' });
      await new Promise((r) => setTimeout(r, 50));
      w.close();
      const replayed: ChangeBatch[] = [];
      const w2 = s.watch(r0, (b) => replayed.push(b));
      await new Promise((r) => setTimeout(r, 50));
      w2.close();
      for (const seen of [live, replayed]) {
        assert.deepEqual(seen.map((b) => [b.actor, b.source]), [['account:ann', '192.0.2.7'], ['orchestrator', undefined]]);
        assert.ok(!('source' in (seen[1] ?? {})), 'no source key when the commit had none');
      }
    }));
  });
}
