import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
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
