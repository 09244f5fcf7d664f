import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TaskFileStore } from './task-file-store.js';

const scratch = mkdtempSync(join(tmpdir(), 'shoal-files-'));
after(() => rm(scratch, { recursive: true, force: true }));

void test('writes each file with its mode and owner in a 0700 folder per task', async () => {
  const store = new TaskFileStore(join(scratch, 'a', 'n1', 'tasks'));
  const mounts = await store.write('task1', [
    { kind: 'secret', name: 'db', target: '/run/secrets/db', data: Buffer.from('pw'), mode: 0o400, uid: 1000, gid: 1001 },
    { kind: 'config', name: 'app', target: '/app', data: Buffer.from('conf'), mode: 0o444 },
  ]);
  assert.deepEqual(mounts.map((m) => m.target), ['/run/secrets/db', '/app']);
  assert.equal((await stat(store.root)).mode & 0o777, 0o700);
  assert.equal((await stat(store.taskDir('task1'))).mode & 0o777, 0o700);
  const [secret, config] = await Promise.all(mounts.map((m) => stat(m.hostPath)));
  assert.equal((secret?.mode ?? 0) & 0o7777, 0o400);
  assert.equal(secret?.uid, 1000);
  assert.equal(secret?.gid, 1001);
  assert.equal((config?.mode ?? 0) & 0o7777, 0o444);
  assert.equal(await readFile(mounts[0]?.hostPath ?? '', 'utf8'), 'pw');
  assert.ok(mounts.every((m) => m.hostPath.startsWith(store.taskDir('task1'))), 'names never come from the target');

  const again = await store.write('task1', [{ kind: 'secret', name: 'db', target: '/run/secrets/db', data: Buffer.from('pw2'), mode: 0o444 }]);
  assert.equal(await readFile(again[0]?.hostPath ?? '', 'utf8'), 'pw2', 'a retry replaces what an earlier attempt left');
  assert.deepEqual(await readdir(store.taskDir('task1')), ['secret-0']);

  await store.remove('task1');
  await store.remove('task1');
  assert.deepEqual(await readdir(store.root), []);
  await store.tidy();
  assert.deepEqual(await readdir(join(scratch, 'a')), [], 'an empty root and node folder go at stop');
});

void test('tidy leaves a root that still holds task files', async () => {
  const store = new TaskFileStore(join(scratch, 'd', 'n1', 'tasks'));
  await store.write('t', []);
  await store.tidy();
  assert.deepEqual(await readdir(store.root), ['t']);
});

void test('prune keeps the listed tasks only; a missing root is not an error', async () => {
  const store = new TaskFileStore(join(scratch, 'b'));
  assert.deepEqual(await store.prune(new Set()), []);
  for (const id of ['keep', 'drop1', 'drop2']) await store.write(id, []);
  assert.deepEqual((await store.prune(new Set(['keep']))).sort(), ['drop1', 'drop2']);
  assert.deepEqual(await readdir(store.root), ['keep']);
});

void test('task ids that are not plain names never become paths', async () => {
  const store = new TaskFileStore(join(scratch, 'c'));
  await mkdir(join(scratch, 'c'), { recursive: true });
  for (const bad of ['..', '../x', 'a/b', '', '.hidden']) {
    await assert.rejects(store.write(bad, []), /not usable as a folder name/);
    await store.remove(bad);
  }
  assert.deepEqual(await readdir(scratch).then((d) => d.sort()), ['a', 'b', 'c', 'd']);
});
