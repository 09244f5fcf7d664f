import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { storeContract } from '../../../test/store-contract.js';
import { SqliteStore } from './sqlite-store.js';
import type { ChangeBatch } from './store.js';

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

test('sqlite: kill -9 in the middle of writing never leaves a half-written batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  try {
    const db = join(dir, 'shoal.db');
    // A child commits batches of 50 objects as fast as it can, saying so after each; it is killed
    // once it has committed a few (not after a fixed time: a loaded machine may take longer than
    // any guess just to start it), while it goes on writing.
    const child = `
      import { SqliteStore } from ${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).pathname)};
      const s = new SqliteStore(${JSON.stringify(db)});
      for (let i = 0; ; i++) {
        const ops = [];
        for (let j = 0; j < 50; j++) ops.push({ op: 'put', kind: 'task', value: { id: 't' + j, env: 'default', version: 0, batch: i, pad: 'x'.repeat(2000) } });
        await s.commit(ops, { actor: 'child' });
        process.stdout.write('c');
      }`;
    const writer = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => writer.once('exit', (_code, signal) => resolve(signal)));
    let committed = 0;
    await new Promise<void>((resolve, reject) => {
      writer.stdout.on('data', (chunk: Buffer) => {
        committed += chunk.length;
        if (committed >= 5) resolve();
      });
      writer.once('exit', () => reject(new Error(`the writer exited after ${committed} commits`)));
    });
    writer.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', 'the writer was killed while writing');
    const s = new SqliteStore(db);
    try {
      const tasks = await s.list<{ id: string; env: string; version: number; batch: number }>('task');
      assert.equal(tasks.length, 50);
      const batches = new Set(tasks.map((t) => t.batch));
      assert.equal(batches.size, 1, 'every object comes from the same last committed batch');
      assert.ok([...batches][0]! >= 4, 'the batches it reported were committed before the kill');
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a database made before change sources existed gains the column and keeps its history', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  try {
    const path = join(dir, 'shoal.db');
    // The schema and one change as an older Shoal wrote them.
    const old = new Database(path);
    old.exec(`
      CREATE TABLE objects (kind TEXT NOT NULL, id TEXT NOT NULL, env TEXT NOT NULL, version INTEGER NOT NULL,
        name TEXT, service_id TEXT, node_id TEXT, data TEXT NOT NULL, PRIMARY KEY (kind, id));
      CREATE TABLE changes (revision INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, changes TEXT NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO meta VALUES ('revision', 1);
      INSERT INTO changes VALUES (1, '2024-01-01T00:00:00.000Z', 'old', '[]');
    `);
    old.close();
    const s = new SqliteStore(path);
    await s.commit([{ op: 'create', kind: 'service', value: { id: 's', env: 'default', version: 0 } }], { actor: 'new', source: '10.0.0.9' });
    const seen: ChangeBatch[] = [];
    s.watch(0, (b) => seen.push(b)).close();
    assert.deepEqual(seen.map((b) => [b.revision, b.actor, b.source]), [[1, 'old', undefined], [2, 'new', '10.0.0.9']]);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
