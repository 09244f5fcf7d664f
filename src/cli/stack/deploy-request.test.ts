import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';
import { buildDeployRequest, type RequiredInputsOf, type SourceReader } from './deploy-request.js';
import { shouldWait } from './deploy.js';

const disk = (files: Record<string, string>): SourceReader => ({ read: (path) => (files[path] !== undefined ? Buffer.from(files[path]) : undefined) });
const inputs: RequiredInputsOf = () => ({ variables: ['TAG', 'DB_PASSWORD', 'UNSET'], files: ['./db.txt', 'missing.env'] });

test('sends the files, the .env beside the first file, only referenced variables and files', () => {
  const body = buildDeployRequest(
    { composeFiles: ['app/compose.yaml', 'app/override.yaml'] },
    inputs,
    { TAG: '2', DB_PASSWORD: 'pw', HOME: '/root', SECRET_NOT_REFERENCED: 'x' },
    disk({ '/w/app/compose.yaml': 'a', '/w/app/override.yaml': 'b', '/w/app/.env': 'TAG=1', '/w/app/db.txt': 'hunter2' }),
    '/w',
  );
  assert.deepEqual(body, {
    files: [{ name: 'app/compose.yaml', content: 'a' }, { name: 'app/override.yaml', content: 'b' }],
    envFile: { name: 'app/.env', content: 'TAG=1' },
    variables: { TAG: '2', DB_PASSWORD: 'pw' },
    fileData: { './db.txt': Buffer.from('hunter2').toString('base64') },
  });
});

test('--env-file replaces the .env; --prune is sent; a missing compose file is an error naming it', () => {
  const reader = disk({ '/w/compose.yaml': 'a', '/w/.env': 'X=1', '/w/prod.env': 'X=2' });
  const body = buildDeployRequest({ composeFiles: ['compose.yaml'], envFile: 'prod.env', prune: true }, inputs, {}, reader, '/w');
  assert.deepEqual([body.envFile, body.prune], [{ name: 'prod.env', content: 'X=2' }, true]);
  assert.throws(() => buildDeployRequest({ composeFiles: ['nope.yaml'] }, inputs, {}, reader, '/w'), (e: unknown) => e instanceof ShoalError && /nope\.yaml/.test(e.message));
  assert.throws(() => buildDeployRequest({ composeFiles: [] }, inputs, {}, reader, '/w'), /compose file/);
});

test('wait: default in a terminal, forced by --wait, skipped by --detach, not both', () => {
  assert.equal(shouldWait({}, true), true);
  assert.equal(shouldWait({}, false), false);
  assert.equal(shouldWait({ wait: true }, false), true);
  assert.equal(shouldWait({ detach: true }, true), false);
  assert.throws(() => shouldWait({ detach: true, wait: true }, true), /--wait/);
});

test('sizes are checked before sending: one file over the limit, and a request over the body limit, each named with the limit', () => {
  const big = 'x'.repeat(limits.composeFileBytes + 1);
  const tooBig = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof ShoalError && e.code === 'invalid_argument');
      assert.ok(!e.message.includes('\n'), 'one line');
      return e.message;
    }
    assert.fail('accepted');
  };
  const neverParsed: RequiredInputsOf = () => assert.fail('a file over the limit is never parsed');
  assert.equal(tooBig(() => buildDeployRequest({ composeFiles: ['big.yaml'] }, neverParsed, {}, disk({ '/w/big.yaml': big }), '/w')), '--compose-file "big.yaml": is 512.0 KiB, larger than the 512 KiB limit of one file');
  assert.match(tooBig(() => buildDeployRequest({ composeFiles: ['c.yaml'], envFile: 'big.env' }, neverParsed, {}, disk({ '/w/c.yaml': 'a', '/w/big.env': big }), '/w')), /^--env-file "big\.env": is 512\.0 KiB, larger than the 512 KiB limit/);
  // Three files each under the file limit, together over the body limit.
  const part = 'y'.repeat(400 * 1024);
  const reader = disk({ '/w/a.yaml': part, '/w/b.yaml': part, '/w/c.yaml': `${part}z` });
  const none: RequiredInputsOf = () => ({ variables: [], files: [] });
  assert.equal(
    tooBig(() => buildDeployRequest({ composeFiles: ['a.yaml', 'b.yaml', 'c.yaml'] }, none, {}, reader, '/w')),
    "stack deploy: the request would be 1.2 MiB, larger than the manager's 1 MiB limit; its largest part is c.yaml (400.0 KiB)",
  );
  const many = Array.from({ length: limits.stackFiles + 1 }, (_, i) => `f${i}.yaml`);
  assert.match(tooBig(() => buildDeployRequest({ composeFiles: many }, none, {}, disk({}), '/w')), /^--compose-file "f16\.yaml": more than 16 compose files/);
});
