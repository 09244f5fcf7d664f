import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { SessionApi } from '../auth/sessions.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { EnvironmentApi } from '../environments/environments.js';
import { buildAuthRoutes } from './auth-routes.js';
import { credentialAuthorizer } from './credential-authorizer.js';
import { createHttpServer } from './server.js';

const pw = 'a long enough password';

async function setup() {
  const store = memoryStore();
  const accounts = new AccountApi(store);
  const auth = { accounts, sessions: new SessionApi(store, accounts), apiKeys: new ApiKeyApi(store), throttle: new LoginThrottle({ perAccount: 3, perAddress: 10 }) };
  await accounts.create('bootstrap', { username: 'root', password: pw, admin: true });
  const environments = new EnvironmentApi(store, accounts);
  await environments.ensureDefault();
  await environments.create('t', { name: 'dev' });
  const app = createHttpServer({ routes: buildAuthRoutes(() => auth), authorizer: credentialAuthorizer({ ...auth, environments }), logger: createLogger('test', 'silent') });
  const bodies: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, opts: { token?: string; basic?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.basic) headers.authorization = `Basic ${Buffer.from(opts.basic).toString('base64')}`;
    const res = await app.inject({ method, url, headers, ...(opts.body !== undefined ? { payload: opts.body as Record<string, unknown> } : {}) });
    bodies.push(res.body);
    return { status: res.statusCode, json: res.json<Record<string, unknown> & { error?: { code: string; message: string } }>() };
  };
  return { app, store, call, bodies };
}

test('login gives a session that works until logout; accounts answers carry no hash', async () => {
  const { app, store, call, bodies } = await setup();
  const login = await call('POST', '/v1/login', { body: { username: 'root', password: pw } });
  assert.equal(login.status, 200);
  const token = String(login.json.token);
  assert.equal((await call('GET', '/v1/whoami', { token })).json.actor, 'account:root');
  assert.equal((await call('POST', '/v1/accounts', { token, body: { username: 'bob', password: pw } })).status, 201);
  assert.equal((await call('GET', '/v1/accounts', { token })).status, 200);
  assert.equal((await call('POST', '/v1/logout', { token })).status, 200);
  assert.equal((await call('GET', '/v1/whoami', { token })).status, 401);
  assert.ok(!bodies.some((b) => b.includes('scrypt') || b.includes('passwordHash') || b.includes(pw)));
  await app.close();
  await store.close();
});

test('failed logins are throttled per account with 429, even for the right password then', async () => {
  const { app, store, call } = await setup();
  for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/v1/login', { body: { username: 'root', password: 'wrong password!' } })).status, 401);
  const locked = await call('POST', '/v1/login', { body: { username: 'root', password: pw } });
  assert.equal(locked.status, 429);
  assert.equal(locked.json.error?.code, 'resource_exhausted');
  assert.match(locked.json.error?.message ?? '', /too many failed logins for this account; retry in \d+ s/);
  assert.equal((await call('POST', '/v1/login', { body: { username: 'root' } })).status, 400);
  await app.close();
  await store.close();
});

test('concurrent guesses are throttled as they arrive: past the limit, 429 even for the right password', async () => {
  const { app, store } = await setup();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const login = (password: string) =>
    fetch(`http://127.0.0.1:${port}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'root', password }) }).then(async (r) => ({ status: r.status, body: await r.text() }));
  try {
    // The limit is 3 failures per account: 25 wrong passwords at once get 3 checks, not 25.
    const burst = await Promise.all(Array.from({ length: 25 }, () => login('wrong password!')));
    assert.equal(burst.filter((r) => r.status === 401).length, 3);
    assert.equal(burst.filter((r) => r.status === 429).length, 22);
    // 99 wrong guesses and the right one last, all at once: the right one comes too late.
    const guesses = await Promise.all([...Array.from({ length: 99 }, () => login('another wrong one')), login(pw)]);
    assert.ok(guesses.every((r) => r.status === 429), JSON.stringify(guesses.filter((r) => r.status !== 429)));
    assert.ok(!guesses.some((r) => r.body.includes('token')));
    assert.equal((await store.list('session')).length, 0, 'no session was made');
  } finally {
    await app.close();
    await store.close();
  }
});

test('an API key secret is shown once; revoking it refuses the next request', async () => {
  const { app, store, call, bodies } = await setup();
  const token = String((await call('POST', '/v1/login', { body: { username: 'root', password: pw } })).json.token);
  const created = await call('POST', '/v1/apikeys?env=dev', { token, body: { name: 'ci', role: 'member' } });
  assert.equal(created.status, 201);
  const secret = String(created.json.secret);
  const basic = `${String(created.json.accessKey)}:${secret}`;
  assert.equal((await call('GET', '/v1/whoami?env=dev', { basic })).json.actor, `apikey:${String(created.json.accessKey)}`);
  assert.equal((await call('GET', '/v1/apikeys?env=dev', { basic })).status, 403, 'members do not manage keys');
  const listed = await call('GET', '/v1/apikeys?env=dev', { token });
  assert.equal(listed.status, 200);
  assert.equal((await call('DELETE', '/v1/apikeys/ci?env=dev', { token })).status, 200);
  assert.equal((await call('GET', '/v1/whoami?env=dev', { basic })).status, 401);
  assert.equal(bodies.filter((b) => b.includes(secret)).length, 1, 'only the create answer holds the secret');
  await app.close();
  await store.close();
});
