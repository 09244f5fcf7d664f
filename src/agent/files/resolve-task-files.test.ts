import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestTask } from '../../../test/executor-contract.js';
import { containerTarget, FilePayloads, resolveTaskFiles } from './resolve-task-files.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

void test('targets: secrets under /run/secrets, configs under /, absolute ones as given', () => {
  assert.equal(containerTarget('secret', { source: 'db' }), '/run/secrets/db');
  assert.equal(containerTarget('secret', { source: 'db', target: 'pw.txt' }), '/run/secrets/pw.txt');
  assert.equal(containerTarget('secret', { source: 'db', target: '/etc/db/pw' }), '/etc/db/pw');
  assert.equal(containerTarget('config', { source: 'app.conf' }), '/app.conf');
  assert.equal(containerTarget('config', { source: 'app', target: 'etc/app.conf' }), '/etc/app.conf');
  assert.equal(containerTarget('config', { source: 'app', target: '/etc//app.conf' }), '/etc/app.conf');
});

void test('each reference gets the pinned version of its own kind, with mode and owner', () => {
  const task = makeTestTask(
    { image: 'x', secrets: [{ source: 'same', uid: '1000', gid: '50', mode: 0o400 }], configs: [{ source: 'same' }] },
    { fileVersions: { 'secret/same': 2, 'config/same': 1 } },
  );
  const payloads = new FilePayloads([
    { kind: 'secret', name: 'same', version: 1, data: b64('secret v1') },
    { kind: 'secret', name: 'same', version: 2, data: b64('secret v2') },
    { kind: 'config', name: 'same', version: 1, data: b64('config v1') },
  ]);
  const resolved = resolveTaskFiles(task, payloads);
  assert.ok('files' in resolved);
  assert.deepEqual(
    resolved.files.map((f) => [f.kind, f.target, f.data.toString(), f.mode, f.uid, f.gid]),
    [
      ['secret', '/run/secrets/same', 'secret v2', 0o400, 1000, 50],
      ['config', '/same', 'config v1', 0o444, undefined, undefined],
    ],
  );
});

void test('a missing payload or unpinned version is named, without content', () => {
  const task = makeTestTask({ image: 'x', secrets: [{ source: 'a' }, { source: 'b' }] }, { fileVersions: { 'secret/a': 1, 'secret/b': 4 } });
  const payloads = new FilePayloads([{ kind: 'secret', name: 'a', version: 1, data: b64('hush') }]);
  assert.deepEqual(resolveTaskFiles(task, payloads), { missing: 'secret b (version 4)' });
  const unpinned = makeTestTask({ image: 'x', configs: [{ source: 'c' }] });
  assert.deepEqual(resolveTaskFiles(unpinned, payloads), { missing: 'config c (no version pinned)' });
});
