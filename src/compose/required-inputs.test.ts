import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ComposeError } from './compose-error.js';
import { requiredInputs } from './required-inputs.js';

const valid = join(import.meta.dirname, 'testdata', 'valid');
const read = (name: string): string => readFileSync(join(valid, name), 'utf8');

test('the variables and files the example application needs', () => {
  const files = [{ name: 'compose.yaml', content: read('web-db-cache.yaml') }];
  const first = requiredInputs(files, { name: '.env', content: read('dotenv.env') });
  assert.deepEqual(first, { variables: ['LOG_LEVEL', 'WEB_PORT', 'WEB_TAG'], files: ['secrets/db_password.txt', 'web.env'], optionalFiles: [] });
  const second = requiredInputs(files, undefined, { fileData: { 'web.env': Buffer.from(read('web.env')).toString('base64') } });
  assert.deepEqual(second.variables, ['LOG_LEVEL', 'WEB_PORT', 'WEB_TAG']);
});

test('variables in values, defaults, bare environment keys, secret sources; none in x- extensions', () => {
  const content = [
    'x-ignored: ${IN_EXTENSION}',
    'services:',
    '  web:',
    '    image: "${REGISTRY:-docker.io}/${IMAGE:?set it}"',
    '    environment: [PLAIN=1, FROM_SHELL]',
    '    env_file: [{ path: "./${STAGE}.env", required: false }, ./common.env]',
    '    labels: { a: "$$NOT_A_VARIABLE" }',
    '  db:',
    '    image: x',
    '    environment: { DB_PASSWORD: }',
    'secrets:',
    '  token: { environment: API_TOKEN }',
    '  cert: { file: "../certs/${STAGE}/cert.pem" }',
    'configs:',
    '  conf: { file: ./conf/../app.ini }',
  ].join('\n');
  const r = requiredInputs([{ name: 'compose.yaml', content }], undefined, { variables: { STAGE: 'prod', UNRELATED: 'x' } });
  assert.deepEqual(r.variables, ['API_TOKEN', 'DB_PASSWORD', 'FROM_SHELL', 'IMAGE', 'REGISTRY', 'STAGE']);
  assert.deepEqual(r.files, ['../certs/prod/cert.pem', 'app.ini', 'common.env']);
  assert.deepEqual(r.optionalFiles, ['prod.env']);
});

test('bad YAML is reported; other problems are left to rendering', () => {
  assert.throws(() => requiredInputs([{ name: 'c.yaml', content: 'services: [' }]), ComposeError);
  assert.deepEqual(requiredInputs([{ name: 'c.yaml', content: 'services:\n  web: { ports: ["80:abc"] }\n' }]), { variables: [], files: [], optionalFiles: [] });
});
