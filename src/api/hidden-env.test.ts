import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envHolding, hiddenEnvValue, isCredentialName, restoreHiddenEnv, specForView } from './hidden-env.js';
import { ShoalError } from './errors.js';

test('names that look like credentials', () => {
  for (const name of ['DB_PASSWORD', 'MYSQL_ROOT_PASSWD', 'API_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_API_KEY', 'apikey', 'PRIVATE_KEY', 'GOOGLE_CREDENTIALS', 'passwordHash']) assert.ok(isCredentialName(name), name);
  for (const name of ['LOG_LEVEL', 'DATABASE_URL', 'PORT', 'HOME', 'accessKey']) assert.ok(!isCredentialName(name), name);
});

test('views hide env values named like credentials or listed in secretEnv, and nothing else', () => {
  const spec = { image: 'x', env: { DB_PASSWORD: 'p', DATABASE_URL: 'postgres://u:p@db', LOG_LEVEL: 'debug' }, secretEnv: ['DATABASE_URL'] };
  assert.deepEqual(specForView(spec), { ...spec, env: { DB_PASSWORD: hiddenEnvValue, DATABASE_URL: hiddenEnvValue, LOG_LEVEL: 'debug' } });
  assert.equal(spec.env.DB_PASSWORD, 'p', 'the stored spec is not changed');
  const plain = { image: 'x', env: { LOG_LEVEL: 'debug' } };
  assert.equal(specForView(plain), plain);
});

test('a spec sent back as shown keeps the stored values; the marker for a name with no stored value is refused', () => {
  const current = { env: { DB_PASSWORD: 'p', LOG_LEVEL: 'debug' } };
  assert.deepEqual(restoreHiddenEnv({ env: { DB_PASSWORD: hiddenEnvValue, LOG_LEVEL: 'info' } }, current), { env: { DB_PASSWORD: 'p', LOG_LEVEL: 'info' } });
  assert.deepEqual(restoreHiddenEnv({ env: { DB_PASSWORD: 'new' } }, current), { env: { DB_PASSWORD: 'new' } }, 'a new value replaces the stored one');
  assert.throws(() => restoreHiddenEnv({ env: { TOKEN: hiddenEnvValue } }, current), (err: unknown) => err instanceof ShoalError && err.field === 'spec.env.TOKEN');
  assert.throws(() => restoreHiddenEnv({ env: { TOKEN: hiddenEnvValue } }, undefined), (err: unknown) => err instanceof ShoalError && err.field === 'spec.env.TOKEN');
});

test('envHolding lists the entries whose values contain a credential value, keeping those listed already', () => {
  const spec = { env: { URL: 'postgres://app:s3cret-value@db', OTHER: 'x', EMPTY: '' }, secretEnv: ['OTHER'] };
  assert.deepEqual(envHolding(spec, ['s3cret-value', '']), ['OTHER', 'URL']);
  assert.deepEqual(envHolding({ env: { A: 'a' } }, []), []);
});
