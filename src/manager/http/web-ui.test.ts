import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { loopbackAuthorizer } from './authorizer.js';
import { createHttpServer } from './server.js';
import { defaultWebDir, registerWebUi } from './web-ui.js';

const dir = mkdtempSync(join(tmpdir(), 'shoal-web-ui-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const server = (webDir: string) => {
  const app = createHttpServer({ routes: [], authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent') });
  registerWebUi(app, { dir: webDir });
  return app;
};

test('serves the bundle with content types, and nothing outside it', async () => {
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'app.css'), 'body{}');
  const app = server(dir);
  const index = await app.inject('/');
  assert.equal(index.statusCode, 200);
  assert.match(index.headers['content-type'] as string, /^text\/html/);
  assert.match(index.headers['content-security-policy'] as string, /default-src 'none'/);
  assert.match((await app.inject('/app.js')).headers['content-type'] as string, /^text\/javascript/);
  assert.match((await app.inject('/app.css')).headers['content-type'] as string, /^text\/css/);
  const missingMap = await app.inject('/app.js.map');
  assert.equal(missingMap.statusCode, 404);
  assert.equal(missingMap.json<{ error: { code: string } }>().error.code, 'not_found');
  assert.equal((await app.inject('/..%2fpackage.json')).statusCode, 404);
  await app.close();
});

test('without a bundle, / is a page saying how to build it, not an error', async () => {
  const app = server(join(dir, 'missing'));
  const res = await app.inject('/');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  assert.match(res.body, /not built/);
  assert.match(res.body, /npm run build/);
  assert.equal((await app.inject('/app.js')).statusCode, 404);
  await app.close();
});

test('the default folder is dist/web of the package, from src/ as from dist/', () => {
  assert.equal(defaultWebDir(), join(new URL('../../..', import.meta.url).pathname, 'dist', 'web'));
});
