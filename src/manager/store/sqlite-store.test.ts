import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { storeContract } from '../../../test/store-contract.js';
import { SqliteStore } from './sqlite-store.js';

storeContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  return Promise.resolve({
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

test('sqlite: data and revision survive reopening', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  try {
    const a = new SqliteStore(join(dir, 'shoal.db'));
    await a.commit([{ op: 'create', kind: 'service', value: { id: 's', env: 'default', version: 0 } }], { actor: 't' });
    await a.close();
    const b = new SqliteStore(join(dir, 'shoal.db'));
    assert.equal(await b.revision(), 1);
    assert.equal((await b.get('service', 's'))?.version, 1);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: kill -9 in the middle of writing never leaves a half-written batch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  try {
    const db = join(dir, 'shoal.db');
    // A child commits batches of 50 objects as fast as it can; we kill it mid-way with SIGKILL.
    const child = `
      import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).pathname)};
      const s = new SqliteStore(${JSON.stringify(db)});
      for (let i = 0; ; i++) {
        const ops = [];
        for (let j = 0; j < 50; j++) ops.push({ op: 'put', kind: 'task', value: { id: 't' + j, env: 'default', version: 0, batch: i, pad: 'x'.repeat(2000) } });
        await s.commit(ops, { actor: 'child' });
      }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { timeout: 1500, killSignal: 'SIGKILL' });
    assert.equal(r.signal, 'SIGKILL', 'the writer was killed while writing');
    const s = new SqliteStore(db);
    return s.list<{ id: string; env: string; version: number; batch: number }>('task').then(async (tasks) => {
      assert.equal(tasks.length, 50);
      const batches = new Set(tasks.map((t) => t.batch));
      assert.equal(batches.size, 1, 'every object comes from the same last committed batch');
      assert.ok([...batches][0]! > 0, 'several batches were committed before the kill');
      await s.close();
    });
  } finally {
    setTimeout(() => rmSync(dir, { recursive: true, force: true }), 0);
  }
});
