import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCliConfig, saveContext } from '../config-file.js';
import { run } from '../program.js';
import { captureIo } from '../test-fixtures.test.js';

const now = Date.parse('2024-01-01T00:00:10.000Z');

async function setup(): Promise<{ path: string; shoal: (...args: string[]) => Promise<{ code: number; out: string; err: string }> }> {
  const path = join(await mkdtemp(join(tmpdir(), 'shoal-ctx-')), 'config.json');
  await saveContext(path, 'local', { host: 'http://127.0.0.1:7420', sessionToken: 'shoal-session-TOKEN', sessionExpiresAt: '2024-01-01T05:00:00.000Z', username: 'admin' }, { makeCurrent: true });
  await saveContext(path, 'prod', { host: 'http://prod:7420', env: 'prod', accessKey: 'AKPROD', secretKey: 'SECRETVALUE' }, { makeCurrent: false });
  await saveContext(path, 'old', { host: 'http://old:1', sessionToken: 'shoal-session-OLD', sessionExpiresAt: '2023-12-31T00:00:00.000Z', username: 'bob' }, { makeCurrent: false });
  const shoal = async (...args: string[]) => {
    const io = captureIo({ env: { SHOAL_CONFIG: path }, now: () => now });
    const code = await run(['node', 'shoal', ...args], io);
    return { code, out: io.stdout.join(''), err: io.stderr.join('') };
  };
  return { path, shoal };
}

test('context ls marks the current one and describes credentials without their secrets', async () => {
  const { shoal } = await setup();
  const ls = await shoal('context', 'ls');
  assert.equal(ls.code, 0, ls.err);
  assert.equal(
    ls.out,
    [
      'CURRENT   NAME    HOST                    ENV       CREDENTIAL',
      '*         local   http://127.0.0.1:7420   default   session of admin (5 hours left)',
      '          old     http://old:1            default   session of bob (expired; shoal login)',
      '          prod    http://prod:7420        prod      API key AKPROD',
      '',
    ].join('\n'),
  );
  const json = await shoal('context', 'ls', '--format', 'json');
  for (const text of [ls.out, json.out]) {
    assert.ok(!text.includes('SECRETVALUE') && !text.includes('shoal-session-'), text);
  }
  assert.deepEqual((JSON.parse(json.out) as { name: string; current: boolean }[]).map((c) => [c.name, c.current]), [['local', true], ['old', false], ['prod', false]]);
});

test('context use switches, rm forgets (and unsets the current one), unknown names fail in one line', async () => {
  const { path, shoal } = await setup();
  assert.deepEqual(await shoal('context', 'use', 'prod'), { code: 0, out: 'Switched to context "prod".\n', err: '' });
  assert.equal((await readCliConfig(path)).currentContext, 'prod');
  assert.deepEqual(await shoal('context', 'use', 'nope'), { code: 1, out: '', err: 'shoal: context "nope" not found; `shoal context ls` lists them\n' });
  assert.equal((await shoal('context', 'rm', 'prod', 'old')).code, 0);
  const after = await readCliConfig(path);
  assert.deepEqual([after.currentContext, Object.keys(after.contexts)], [undefined, ['local']]);
  assert.equal((await shoal('--context', 'prod', 'service', 'ls')).err, 'shoal: context "prod" not found; `shoal context ls` lists them\n');
});

test('context show tells which context, host, environment and credential a command would use', async () => {
  const { shoal } = await setup();
  const show = await shoal('context', 'show', '--context', 'prod');
  assert.equal(show.out, 'context:     prod\nhost:        http://prod:7420\nenvironment: prod\ncredential:  API key AKPROD (from the context)\n');
  const expired = await shoal('context', 'show', '--context', 'old', '--format', 'json');
  assert.deepEqual(JSON.parse(expired.out), {
    context: 'old',
    host: 'http://old:1',
    env: 'default',
    credential: { type: 'none' },
    note: 'the session of context "old" expired at 2023-12-31T00:00:00.000Z; run `shoal login`',
  });
});
