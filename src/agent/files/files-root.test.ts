import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { chown, mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chooseFilesRoot } from './files-root.js';

const disk = mkdtempSync(join(tmpdir(), 'shoal-root-'));
// /dev/shm is a tmpfs on Linux; the test makes its own base there and removes it.
const shm = mkdtempSync('/dev/shm/shoal-root-test-');
after(async () => {
  await rm(disk, { recursive: true, force: true });
  await rm(shm, { recursive: true, force: true });
});

void test('a writable tmpfs is preferred; the folder is per node and 0700', async () => {
  const chosen = await chooseFilesRoot(disk, 'node1', [disk, shm]);
  assert.deepEqual(chosen, { root: join(shm, 'shoal', 'node1', 'tasks'), tmpfs: true }, 'a disk-backed candidate is skipped');
  assert.equal((await stat(join(shm, 'shoal'))).mode & 0o777, 0o700);
});

void test('without a tmpfs the files go under the data directory', async () => {
  assert.deepEqual(await chooseFilesRoot(disk, 'node2', [disk, '/nonexistent']), { root: join(disk, 'task-files', 'node2', 'tasks'), tmpfs: false });
});

void test("a base folder someone else made first is not used", { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
  const base = join(shm, 'taken');
  await mkdir(join(base, 'shoal'), { recursive: true });
  await chown(join(base, 'shoal'), 4321, 4321);
  assert.equal((await chooseFilesRoot(disk, 'node3', [base])).tmpfs, false);
});

void test('a node id that is not a plain name is refused', async () => {
  await assert.rejects(chooseFilesRoot(disk, '../etc', [shm]), /not usable as a folder name/);
});
