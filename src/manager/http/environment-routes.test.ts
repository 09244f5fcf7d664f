import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeObject } from '../../api/objects.js';
import { createLogger } from '../../lib/logger.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { SessionApi } from '../auth/sessions.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { NodeApi } from '../controlapi/nodes.js';
import { ServiceApi } from '../controlapi/services.js';
import { TaskApi } from '../controlapi/tasks.js';
import { EnvironmentApi } from '../environments/environments.js';
import { credentialAuthorizer } from './credential-authorizer.js';
import { buildRoutes, type RouteDeps } from './routes.js';
import { createHttpServer } from './server.js';

/**
 * Environments, members, the caller's own account and personal keys, and environment isolation,
 * through HTTP with the real components: what a CLI or curl sees.
 */

const pw = 'a long enough password';
type Json = Record<string, unknown> & { error?: { code: string; message: string; field?: string } };

const node = (id: string, env: string, hostname: string): NodeObject => ({
  id, env, version: 0, createdAt: '', updatedAt: '', hostname, role: 'worker', availability: 'active', labels: {},
  status: { state: 'down', message: '', address: '', timestamp: '' }, resources: { nanoCpus: 1e9, memoryBytes: 1e9 }, engine: { version: '', os: '', arch: '' },
});

async function setup() {
  const store = memoryStore();
  const accounts = new AccountApi(store);
  const sessions = new SessionApi(store, accounts);
  const apiKeys = new ApiKeyApi(store);
  const environments = new EnvironmentApi(store, accounts);
  const throttle = new LoginThrottle({ perAccount: 3, perAddress: 50 });
  await environments.ensureDefault();
  await accounts.create('bootstrap', { username: 'root', password: pw, admin: true });
  const deps = {
    services: new ServiceApi(store),
    nodes: new NodeApi(store),
    tasks: new TaskApi(store),
    auth: { accounts, sessions, apiKeys, throttle },
    environments,
    info: () => Promise.resolve({}),
  } as Partial<RouteDeps> as RouteDeps;
  const app = createHttpServer({ routes: buildRoutes(deps), authorizer: credentialAuthorizer({ apiKeys, sessions, accounts, environments }), logger: createLogger('test', 'silent') });
  const bodies: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth: string, body?: unknown) => {
    const authorization = auth.startsWith('shoal-session-') ? `Bearer ${auth}` : `Basic ${Buffer.from(auth).toString('base64')}`;
    const res = await app.inject({ method, url, headers: { authorization }, ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}) });
    bodies.push(res.body);
    return { status: res.statusCode, json: res.json<Json>() };
  };
  const login = async (username: string, password = pw): Promise<string> => (await sessions.login(username, password)).token;
  const root = await login('root');
  return { app, store, call, login, root, bodies, environments, apiKeys };
}

test('admins create, list and remove environments; others cannot; names are checked', async () => {
  const { app, store, call, login, root } = await setup();
  const created = await call('POST', '/v1/environments', root, { name: 'dev', description: 'tries' });
  assert.equal(created.status, 201);
  assert.equal(created.json.name, 'dev');
  assert.equal((await call('POST', '/v1/environments', root, { name: 'dev' })).json.error?.code, 'already_exists');
  const bad = await call('POST', '/v1/environments', root, { name: 'no spaces' });
  assert.deepEqual([bad.status, bad.json.error?.field], [400, 'name']);
  assert.deepEqual(((await call('GET', '/v1/environments', root)).json as unknown as { name: string }[]).map((e) => e.name), ['default', 'dev']);
  await call('POST', '/v1/accounts', root, { username: 'alice', password: pw });
  const alice = await login('alice');
  assert.equal((await call('POST', '/v1/environments', alice, { name: 'mine' })).status, 403);
  assert.equal((await call('DELETE', '/v1/environments/dev', alice)).status, 403);
  assert.deepEqual((await call('GET', '/v1/environments', alice)).json, [], 'a member of nothing sees nothing');
  assert.equal((await call('GET', '/v1/environments/dev', alice)).status, 404, 'nor learns that dev exists');
  assert.equal((await call('DELETE', '/v1/environments/default', root)).status, 409);
  assert.equal((await call('DELETE', '/v1/environments/ghost', root)).status, 404);
  assert.equal((await call('DELETE', '/v1/environments/dev', root)).status, 200);
  assert.equal((await call('GET', '/v1/environments/dev', root)).status, 404);
  await app.close();
  await store.close();
});

test('owners manage members of their environment only; roles take effect at once', async () => {
  const { app, store, call, login, root } = await setup();
  await call('POST', '/v1/environments', root, { name: 'dev' });
  await call('POST', '/v1/environments', root, { name: 'prod' });
  for (const u of ['olga', 'mike']) await call('POST', '/v1/accounts', root, { username: u, password: pw });
  const put = await call('PUT', '/v1/environments/dev/members/olga', root, { role: 'owner' });
  assert.equal(put.status, 200);
  assert.equal(put.json.role, 'owner');
  const olga = await login('olga');
  const mike = await login('mike');
  assert.equal((await call('PUT', '/v1/environments/dev/members/mike', olga, { role: 'readonly' })).status, 200);
  assert.equal((await call('PUT', '/v1/environments/prod/members/mike', olga, { role: 'owner' })).status, 403, 'an owner of dev is nothing in prod');
  assert.equal((await call('PUT', '/v1/environments/prod/members/olga?env=dev', olga, { role: 'owner' })).status, 403, '?env= does not move the check');
  assert.equal((await call('PUT', '/v1/environments/dev/members/olga', mike, { role: 'owner' })).status, 403, 'readonly cannot promote itself');
  const roleError = await call('PUT', '/v1/environments/dev/members/mike', olga, { role: 'admin' });
  assert.deepEqual([roleError.status, roleError.json.error?.field], [400, 'role']);
  assert.equal((await call('PUT', '/v1/environments/dev/members/ghost', olga, { role: 'member' })).status, 404);
  const members = await call('GET', '/v1/environments/dev/members', mike);
  assert.deepEqual((members.json as unknown as { username: string; role: string }[]).map((m) => `${m.username}:${m.role}`), ['mike:readonly', 'olga:owner']);
  assert.deepEqual(((await call('GET', '/v1/environments', mike)).json as unknown as { name: string; role: string }[]).map((e) => `${e.name}:${e.role}`), ['dev:readonly']);
  assert.equal((await call('GET', '/v1/services?env=dev', mike)).status, 200);
  assert.equal((await call('POST', '/v1/services?env=dev', mike, { name: 'web', spec: { image: 'nginx' } })).status, 403);
  assert.equal((await call('PUT', '/v1/environments/dev/members/mike', olga, { role: 'member' })).status, 200);
  assert.equal((await call('POST', '/v1/services?env=dev', mike, { name: 'web', spec: { image: 'nginx' } })).status, 201);
  assert.equal((await call('DELETE', '/v1/environments/dev/members/mike', olga)).status, 200);
  assert.equal((await call('GET', '/v1/services?env=dev', mike)).status, 403);
  assert.equal((await call('DELETE', '/v1/environments/dev/members/mike', olga)).status, 404);
  const left = await call('DELETE', '/v1/environments/dev', root);
  assert.equal(left.status, 409);
  assert.equal(left.json.error?.message, 'environment "dev" still has 1 service (web); remove them first');
  await app.close();
  await store.close();
});

test('GET /v1/account and personal keys: shown once, act as the account everywhere, only the owner lists or revokes them', async () => {
  const { app, store, call, login, root, bodies } = await setup();
  await call('POST', '/v1/environments', root, { name: 'dev' });
  await call('POST', '/v1/accounts', root, { username: 'pat', password: pw });
  await call('PUT', '/v1/environments/dev/members/pat', root, { role: 'member' });
  const pat = await login('pat');
  const me = await call('GET', '/v1/account', pat);
  assert.equal(me.json.username, 'pat');
  assert.deepEqual(me.json.environments, [{ name: 'dev', role: 'member' }]);
  const created = await call('POST', '/v1/account/apikeys', pat, { name: 'laptop' });
  assert.equal(created.status, 201);
  const secret = String(created.json.secret);
  const key = `${String(created.json.accessKey)}:${secret}`;
  assert.equal(created.json.role, undefined);
  assert.equal((await call('POST', '/v1/account/apikeys', pat, { name: 'laptop' })).status, 409);
  assert.equal((await call('POST', '/v1/account/apikeys', pat, { name: 'x', role: 'owner' })).status, 400);
  assert.equal((await call('GET', '/v1/services?env=dev', key)).status, 200, 'the key holds pat\'s role in dev');
  assert.equal((await call('GET', '/v1/services', key)).status, 403, 'and nothing in default');
  assert.equal((await call('GET', '/v1/account', key)).json.username, 'pat');
  const whoami = await call('GET', '/v1/whoami?env=dev', key);
  assert.equal(whoami.json.actor, `account:pat (key ${String(created.json.accessKey)})`);
  assert.deepEqual(((await call('GET', '/v1/account/apikeys', key)).json as unknown as { name: string }[]).map((k) => k.name), ['laptop']);
  assert.deepEqual((await call('GET', '/v1/account/apikeys', root)).json, [], 'another account sees none of them');
  assert.equal((await call('DELETE', `/v1/account/apikeys/${String(created.json.accessKey)}`, root)).status, 404);
  assert.equal((await call('GET', '/v1/services?env=dev', key)).status, 200);
  const devKey = await call('POST', '/v1/apikeys?env=dev', root, { name: 'ci', role: 'owner' });
  const envKey = `${String(devKey.json.accessKey)}:${String(devKey.json.secret)}`;
  assert.equal((await call('GET', '/v1/account', envKey)).status, 403, 'an environment key is no account');
  assert.equal((await call('POST', '/v1/account/apikeys', envKey, { name: 'x' })).status, 403);
  assert.deepEqual(((await call('GET', '/v1/environments', envKey)).json as unknown as { name: string; role: string }[]).map((e) => `${e.name}:${e.role}`), ['dev:owner']);
  assert.equal((await call('DELETE', '/v1/account/apikeys/laptop', pat)).status, 200);
  assert.equal((await call('GET', '/v1/services?env=dev', key)).status, 401, 'revoked on the next request');
  assert.equal(bodies.filter((b) => b.includes(secret)).length, 1, 'the secret appears in the create answer only');
  await app.close();
  await store.close();
});

test('own password change: needs the current one (failures throttled), ends the other sessions, keeps this one', async () => {
  const { app, store, call, login, root } = await setup();
  await call('POST', '/v1/accounts', root, { username: 'sam', password: pw });
  const here = await login('sam');
  const elsewhere = await login('sam');
  const wrong = await call('POST', '/v1/account/password', here, { currentPassword: 'not it at all', password: 'a brand new password' });
  assert.deepEqual([wrong.status, wrong.json.error?.field], [401, 'currentPassword']);
  assert.equal((await call('POST', '/v1/account/password', here, { currentPassword: pw, password: 'short' })).status, 400);
  const changed = await call('POST', '/v1/account/password', here, { currentPassword: pw, password: 'a brand new password' });
  assert.equal(changed.status, 200);
  assert.equal(changed.json.username, 'sam');
  assert.equal((await call('GET', '/v1/account', here)).status, 200, 'the asking session stays');
  assert.equal((await call('GET', '/v1/account', elsewhere)).status, 401, 'the other one ends');
  for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/v1/account/password', here, { currentPassword: `wrong ${i} password`, password: 'another new password' })).status, 401);
  const throttled = await call('POST', '/v1/account/password', here, { currentPassword: 'a brand new password', password: 'another new password' });
  assert.equal(throttled.status, 429);
  const devKey = await call('POST', '/v1/apikeys', root, { name: 'ci', role: 'owner' });
  assert.equal((await call('POST', '/v1/account/password', `${String(devKey.json.accessKey)}:${String(devKey.json.secret)}`, { currentPassword: pw, password: 'a brand new password' })).status, 403);
  await app.close();
  await store.close();
});

test('isolation: a dev key cannot list, read, change or resolve anything of prod; its lists hold dev objects only', async () => {
  const { app, store, call, root } = await setup();
  await call('POST', '/v1/environments', root, { name: 'dev' });
  await call('POST', '/v1/environments', root, { name: 'prod' });
  const keyOf = async (env: string): Promise<string> => {
    const k = await call('POST', `/v1/apikeys?env=${env}`, root, { name: 'ops', role: 'owner' });
    return `${String(k.json.accessKey)}:${String(k.json.secret)}`;
  };
  const dev = await keyOf('dev');
  const prod = await keyOf('prod');
  const prodWeb = await call('POST', '/v1/services?env=prod', prod, { name: 'web', spec: { image: 'nginx', replicas: 3 } });
  const prodId = String(prodWeb.json.id);
  await call('POST', '/v1/services?env=prod', prod, { name: 'db', spec: { image: 'postgres' } });
  const devWeb = await call('POST', '/v1/services?env=dev', dev, { name: 'web', spec: { image: 'nginx' } });
  await store.commit([{ op: 'create', kind: 'node', value: node('prodnode0001', 'prod', 'prod-host') }, { op: 'create', kind: 'node', value: node('devnode00001', 'dev', 'dev-host') }], { actor: 't' });

  // Naming prod is refused outright.
  for (const [method, url] of [['GET', '/v1/services?env=prod'], ['GET', '/v1/nodes?env=prod'], ['GET', '/v1/tasks?env=prod'], ['GET', `/v1/services/${prodId}?env=prod`], ['DELETE', `/v1/services/${prodId}?env=prod`], ['GET', '/v1/apikeys?env=prod'], ['GET', '/v1/environments/prod/members']] as const) {
    assert.equal((await call(method, url, dev)).status, 403, `${method} ${url}`);
  }
  assert.equal((await call('GET', '/v1/environments/prod', dev)).status, 404);
  // Inside dev, prod's objects do not resolve, by id, name or prefix.
  for (const ref of [prodId, prodId.slice(0, 6), 'db']) {
    assert.equal((await call('GET', `/v1/services/${ref}?env=dev`, dev)).status, 404, ref);
    assert.equal((await call('POST', `/v1/services/${ref}/scale?env=dev`, dev, { replicas: 0 })).status, 404, ref);
    assert.equal((await call('DELETE', `/v1/services/${ref}?env=dev`, dev)).status, 404, ref);
    assert.equal((await call('GET', `/v1/tasks?env=dev&service=${ref}`, dev)).status, 404, ref);
  }
  for (const ref of ['prodnode0001', 'prod-host']) {
    assert.equal((await call('GET', `/v1/nodes/${ref}?env=dev`, dev)).status, 404, ref);
    assert.equal((await call('PATCH', `/v1/nodes/${ref}?env=dev`, dev, { availability: 'drain' })).status, 404, ref);
    assert.equal((await call('DELETE', `/v1/nodes/${ref}?env=dev&force=true`, dev)).status, 404, ref);
  }
  // dev's web is dev's, prod's web untouched.
  assert.equal((await call('POST', '/v1/services/web/scale?env=dev', dev, { replicas: 2 })).status, 200);
  const lists = [await call('GET', '/v1/services?env=dev', dev), await call('GET', '/v1/nodes?env=dev', dev), await call('GET', '/v1/tasks?env=dev', dev), await call('GET', '/v1/apikeys?env=dev', dev)];
  for (const l of lists) assert.equal(l.status, 200);
  const text = JSON.stringify(lists.map((l) => l.json));
  assert.ok(!text.includes('"prod"') && !text.includes(prodId) && !text.includes('prod-host'), text);
  assert.deepEqual((lists[0]?.json as unknown as { id: string }[]).map((s) => s.id), [String(devWeb.json.id)]);
  const prodView = await call('GET', `/v1/services/${prodId}?env=prod`, prod);
  assert.equal((prodView.json.spec as { replicas: number }).replicas, 3);
  assert.equal((await call('GET', '/v1/nodes/prod-host?env=prod', prod)).json.availability, 'active');
  await app.close();
  await store.close();
});
