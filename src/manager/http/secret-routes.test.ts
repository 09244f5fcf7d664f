import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileDataLimitBytes } from '../../api/secrets.js';
import { createLogger } from '../../lib/logger.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { SecretBox } from '../ca/secret-box.js';
import { loopbackAuthorizer } from './authorizer.js';
import { FileApi } from '../secrets/file-api.js';
import { buildSecretRoutes } from './secret-routes.js';
import { createHttpServer } from './server.js';

const pw = 'correct-horse-battery-staple';
const b64 = (t: string): string => Buffer.from(t).toString('base64');

function setup() {
  const store = memoryStore();
  const box = SecretBox.forTest();
  const deps = { secrets: new FileApi({ kind: 'secret', store, box }), configs: new FileApi({ kind: 'config', store, box }) };
  const app = createHttpServer({ routes: buildSecretRoutes(() => deps), authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent') });
  return { app, store };
}

test('the secret routes: 201, metadata only, 400 naming the field, 404, 409; no answer holds the content', async () => {
  const { app, store } = setup();
  const bodies: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    bodies.push(res.body);
    return { status: res.statusCode, body: res.json<Record<string, unknown> & { error?: { field?: string; message: string } }>() };
  };
  const created = await call('POST', '/v1/secrets', { name: 'db', data: b64(pw) });
  assert.equal(created.status, 201);
  assert.equal(created.body.currentVersion, 1);
  assert.equal((await call('GET', '/v1/secrets/db')).status, 200);
  assert.equal((await call('GET', '/v1/secrets')).status, 200);
  const content = await call('GET', '/v1/secrets/db?content=true');
  assert.equal(content.status, 400);
  assert.equal(content.body.error?.field, 'content');
  assert.equal((await call('POST', '/v1/secrets/db/rotate', { data: b64(`${pw}!`) })).body.currentVersion, 2);
  const big = await call('POST', '/v1/secrets', { name: 'big', data: Buffer.alloc(fileDataLimitBytes + 3).toString('base64') });
  assert.equal(big.status, 400);
  assert.equal(big.body.error?.field, 'data');
  assert.equal((await call('POST', '/v1/secrets', { name: 'db', data: b64('x') })).status, 409);
  assert.equal((await call('POST', '/v1/secrets', { name: 'x' })).body.error?.field, 'data');
  assert.equal((await call('POST', '/v1/secrets', 'not json')).status, 400);
  assert.equal((await call('GET', '/v1/secrets/nope')).status, 404);
  assert.equal((await call('POST', '/v1/secrets/nope/rotate', { data: b64('x') })).status, 404);
  assert.equal((await call('DELETE', '/v1/secrets/db')).status, 200);
  assert.equal((await call('GET', '/v1/secrets/db')).status, 404);
  for (const body of bodies) assert.ok(!body.includes(pw) && !body.includes(b64(pw)) && !body.includes('sealed'), body);

  assert.equal((await call('POST', '/v1/configs', { name: 'site', data: b64('listen 80;') })).status, 201);
  const config = await call('GET', '/v1/configs/site?content=true');
  assert.equal(Buffer.from(String(config.body.data), 'base64').toString(), 'listen 80;');
  assert.equal((await call('GET', '/v1/configs/site?content=maybe')).body.error?.field, 'content');
  assert.equal((await call('DELETE', '/v1/configs/site')).status, 200);
  await app.close();
  await store.close();
});
