import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { run } from '../program.js';
import { captureIo } from '../test-fixtures.test.js';

const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
  const url = new URL(req.url ?? '/', 'http://x');
  const role = url.pathname.split('/')[4] ?? '';
  const env = url.searchParams.get('env') ?? 'default';
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(role === 'worker' ? { role, env, token: `TOKEN-${env}` } : { role, token: 'TOKEN-manager' }));
});
let host = '';

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

async function shoal(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: { SHOAL_HOST: host, SHOAL_CONFIG: '/nonexistent/config.json', SHOAL_ACCESS_KEY: 'AK', SHOAL_SECRET_KEY: 's' } });
  const code = await run(['node', 'shoal', ...args], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
}

test('token show|rotate worker --env E asks for that environment\'s token and says which it is', async () => {
  seen.length = 0;
  const shown = await shoal('token', 'show', 'worker', '--env', 'prod');
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /worker join token of environment "prod":\n {2}TOKEN-prod\n/);
  const rotated = await shoal('token', 'rotate', 'worker', '--env', 'prod', '-q');
  assert.equal(rotated.out, 'TOKEN-prod\n');
  assert.deepEqual(seen, ['GET /v1/cluster/tokens/worker?env=prod', 'POST /v1/cluster/tokens/worker/rotate?env=prod']);
});

test('the manager token is shown without an environment; a bad role is refused before any request', async () => {
  seen.length = 0;
  assert.match((await shoal('token', 'show', 'manager')).out, /^manager join token:\n {2}TOKEN-manager\n/);
  const bad = await shoal('token', 'show', 'admin');
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /worker or manager/);
  assert.deepEqual(seen, ['GET /v1/cluster/tokens/manager']);
});
