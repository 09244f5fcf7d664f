import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { roles, type Role } from '../auth/role-permissions.js';
import { SessionApi } from '../auth/sessions.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { EnvironmentApi } from '../environments/environments.js';
import { credentialAuthorizer } from './credential-authorizer.js';
import type { RouteDef } from './route.js';
import { buildRoutes, type RouteDeps } from './routes.js';
import { createHttpServer } from './server.js';

const pw = 'a long enough password';
const basic = (accessKey: string, secret: string): string => `Basic ${Buffer.from(`${accessKey}:${secret}`).toString('base64')}`;

/** The "granted to" column of docs/API.md per route: the expectations come from the docs, not the code. */
function documentedGrants(): Map<string, string[]> {
  const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| (GET|POST|PATCH|PUT|DELETE) \| (\/\S+) \| [a-z:]+ \| ([a-z, ]+) \|/gm)];
  return new Map(rows.map((m) => [`${m[1]} ${m[2]}`, (m[3] ?? '').split(', ')]));
}

interface Caller {
  name: string;
  authorization?: string;
  /**
   * What the caller is in the `default` environment, for the expectation: a role, an admin, no
   * role at all (authenticated, but granted only `authenticated` routes), or a failure it must get.
   */
  is: { role: Role } | { admin: true } | { fails: 401 } | { noRole: true };
}

async function setup() {
  const store = memoryStore();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const accounts = new AccountApi(store, () => now);
  const sessions = new SessionApi(store, accounts, () => now);
  const apiKeys = new ApiKeyApi(store, () => now);
  const environments = new EnvironmentApi(store, accounts, { now: () => now });
  await environments.ensureDefault();
  await environments.create('t', { name: 'dev' });
  const account = async (username: string, admin = false) => {
    const view = await accounts.create('t', { username, password: pw, admin });
    const stored = await accounts.byId(view.id);
    assert.ok(stored);
    return stored;
  };
  const bearer = async (username: string): Promise<string> => `Bearer ${(await sessions.login(username, pw)).token}`;
  const personal = async (owner: Awaited<ReturnType<typeof account>>, name: string): Promise<string> => {
    const key = await apiKeys.createPersonal('t', owner, name);
    return basic(key.accessKey, key.secret);
  };

  const callers: Caller[] = [{ name: 'no credentials', is: { fails: 401 } }];
  const root = await account('root', true);
  callers.push({ name: 'admin account', authorization: await bearer('root'), is: { admin: true } });
  callers.push({ name: 'admin personal key', authorization: await personal(root, 'laptop'), is: { admin: true } });
  for (const role of roles) {
    await account(`user-${role}`);
    await environments.setMember('t', 'default', `user-${role}`, { role });
    callers.push({ name: `${role} by membership (session)`, authorization: await bearer(`user-${role}`), is: { role } });
    const key = await apiKeys.create('t', 'default', { name: `key-${role}`, role });
    callers.push({ name: `${role} environment key`, authorization: basic(key.accessKey, key.secret), is: { role } });
  }
  const member = await accounts.byId((await accounts.get('user-member')).id);
  assert.ok(member);
  callers.push({ name: 'personal key of a non-admin member', authorization: await personal(member, 'laptop'), is: { role: 'member' } });
  const devOwner = await account('dev-owner');
  await environments.setMember('t', 'dev', 'dev-owner', { role: 'owner' });
  callers.push({ name: 'account with a role in dev only', authorization: await bearer('dev-owner'), is: { noRole: true } });
  callers.push({ name: 'personal key of an account with a role in dev only', authorization: await personal(devOwner, 'laptop'), is: { noRole: true } });
  await account('nobody');
  callers.push({ name: 'account with no role anywhere', authorization: await bearer('nobody'), is: { noRole: true } });

  const revoked = await apiKeys.create('t', 'default', { name: 'revoked', role: 'owner' });
  await apiKeys.revoke('t', 'default', 'revoked');
  callers.push({ name: 'revoked key', authorization: basic(revoked.accessKey, revoked.secret), is: { fails: 401 } });
  const revokedPersonal = await apiKeys.createPersonal('t', root, 'old');
  await apiKeys.revokePersonal('t', root.id, 'old');
  callers.push({ name: 'revoked personal key', authorization: basic(revokedPersonal.accessKey, revokedPersonal.secret), is: { fails: 401 } });
  callers.push({ name: 'wrong secret', authorization: basic(revoked.accessKey.replace(/.$/, 'Z'), 'nope'), is: { fails: 401 } });
  const dev = await apiKeys.create('t', 'dev', { name: 'dev-owner', role: 'owner' });
  // A key of another environment has no role here: 403 wherever a role is needed.
  callers.push({ name: 'owner key of another environment', authorization: basic(dev.accessKey, dev.secret), is: { noRole: true } });
  const earlier = new SessionApi(store, accounts, () => now - 13 * 3600_000);
  callers.push({ name: 'expired session', authorization: `Bearer ${(await earlier.login('user-owner', pw)).token}`, is: { fails: 401 } });
  const gone = await account('gone');
  const goneSession = await bearer('gone');
  const goneKey = await personal(gone, 'laptop');
  await accounts.remove('t', 'gone');
  callers.push({ name: 'session of a removed account', authorization: goneSession, is: { fails: 401 } });
  callers.push({ name: 'personal key of a removed account', authorization: goneKey, is: { fails: 401 } });
  callers.push({ name: 'malformed header', authorization: 'Token abc', is: { fails: 401 } });

  // Every handler is a stub answering ok, except whoami, which only echoes what the authorizer decided.
  const routes: RouteDef[] = buildRoutes({} as RouteDeps).map((r) => (r.url === '/v1/whoami' ? r : { ...r, handler: () => Promise.resolve({ ok: true }) }));
  const app = createHttpServer({ routes, authorizer: credentialAuthorizer({ apiKeys, sessions, accounts, environments }), logger: createLogger('test', 'silent') });
  const header = (name: string): string => callers.find((c) => c.name === name)?.authorization ?? assert.fail(`no caller ${name}`);
  return { app, routes, callers, store, header, environments };
}

function expectedStatus(grants: string[], caller: Caller, okStatus: number): number {
  if (grants.includes('anyone')) return okStatus;
  if ('fails' in caller.is) return caller.is.fails;
  if ('admin' in caller.is || grants.includes('authenticated')) return okStatus;
  if ('role' in caller.is) return grants.includes(caller.is.role) ? okStatus : 403;
  return 403;
}

/** A concrete URL for a route, in environment `env` (by path for environment routes, by `?env=` otherwise). */
function urlOf(route: RouteDef, env: string): string {
  const path = route.url.replace(':role', 'worker').replace(':ref', 'x').replace(':account', 'x').replace(':name', env);
  return route.envParam ? path : `${path}?env=${env}`;
}

test('every route answers every caller exactly as the docs table says', async () => {
  const { app, routes, callers, store } = await setup();
  const grants = documentedGrants();
  let checked = 0;
  for (const route of routes) {
    const documented = grants.get(`${route.method} ${route.url}`);
    assert.ok(documented, `${route.method} ${route.url} is in the docs table`);
    for (const caller of callers) {
      const res = await app.inject({ method: route.method, url: urlOf(route, 'default'), headers: caller.authorization ? { authorization: caller.authorization } : {} });
      const want = expectedStatus(documented, caller, route.status ?? 200);
      assert.equal(res.statusCode, want, `${caller.name} → ${route.method} ${route.url}: ${res.body}`);
      if (want === 401) assert.equal((res.json<{ error: { code: string } }>()).error.code, 'unauthenticated');
      if (want === 403) assert.equal((res.json<{ error: { code: string } }>()).error.code, 'permission_denied');
      checked++;
    }
  }
  assert.ok(checked > 900, `${checked} checks`);
  await app.close();
  await store.close();
});

test('an environment that does not exist is 404 for every authenticated caller, after 401 for the others', async () => {
  const { app, routes, callers, store } = await setup();
  for (const route of routes.filter((r) => r.permission !== 'public')) {
    for (const caller of callers) {
      const res = await app.inject({ method: route.method, url: urlOf(route, 'ghost'), headers: caller.authorization ? { authorization: caller.authorization } : {} });
      const want = 'fails' in caller.is ? caller.is.fails : 404;
      assert.equal(res.statusCode, want, `${caller.name} → ${route.method} ${urlOf(route, 'ghost')}: ${res.body}`);
      if (want === 404) assert.equal(res.json<{ error: { message: string } }>().error.message, 'environment "ghost" not found');
    }
  }
  await app.close();
  await store.close();
});

test('a key acts only in its environment; an account holds the role its membership gives, environment by environment', async () => {
  const { app, store, header } = await setup();
  const get = (url: string, who: string) => app.inject({ url, headers: { authorization: header(who) } });
  assert.equal((await get('/v1/services?env=dev', 'owner key of another environment')).statusCode, 200);
  const foreign = await get('/v1/services?env=default', 'owner key of another environment');
  assert.equal(foreign.statusCode, 403);
  assert.match(foreign.json<{ error: { message: string } }>().error.message, /belongs to environment "dev", not "default"/);
  assert.equal((await get('/v1/services?env=dev', 'member by membership (session)')).statusCode, 403);
  assert.equal((await get('/v1/services?env=dev', 'member environment key')).statusCode, 403);
  assert.equal((await get('/v1/services?env=dev', 'personal key of a non-admin member')).statusCode, 403);
  assert.equal((await get('/v1/services?env=dev', 'account with a role in dev only')).statusCode, 200);
  assert.equal((await get('/v1/nodes/x?env=dev', 'personal key of an account with a role in dev only')).statusCode, 200);
  assert.equal((await get('/v1/services?env=dev', 'admin account')).statusCode, 200);
  assert.equal((await get('/v1/services?env=dev', 'admin personal key')).statusCode, 200);
  await app.close();
  await store.close();
});

test('routes about one environment are authorized in the path\'s environment, never in ?env=', async () => {
  const { app, store, header } = await setup();
  const put = (url: string) => app.inject({ method: 'PUT', url, headers: { authorization: header('account with a role in dev only') }, payload: { role: 'member' } });
  assert.equal((await put('/v1/environments/default/members/x?env=dev')).statusCode, 403, 'owner of dev, nothing in default');
  assert.equal((await put('/v1/environments/dev/members/x?env=default')).statusCode, 200);
  assert.equal((await put('/v1/environments/ghost/members/x?env=dev')).statusCode, 404);
  await app.close();
  await store.close();
});

test('whoami: a personal key acts as its account, and the actor names the key', async () => {
  const { app, store, header } = await setup();
  const whoami = async (who: string, env = 'default') =>
    (await app.inject({ url: `/v1/whoami?env=${env}`, headers: { authorization: header(who) } })).json<{ actor: string; env: string; caller: Record<string, unknown> }>();
  const viaKey = await whoami('personal key of a non-admin member');
  assert.match(viaKey.actor, /^account:user-member \(key AK[0-9A-Z]{20}\)$/);
  assert.equal(viaKey.caller.type, 'account');
  assert.equal(viaKey.caller.name, 'user-member');
  assert.equal(viaKey.caller.role, 'member');
  assert.match(String(viaKey.caller.accessKey), /^AK/);
  assert.equal((await whoami('member by membership (session)')).actor, 'account:user-member');
  const devKey = await whoami('owner key of another environment');
  assert.equal(devKey.caller.role, undefined, 'no role outside its environment');
  assert.deepEqual(devKey.caller.envKey, { env: 'dev', role: 'owner' });
  assert.equal((await whoami('owner key of another environment', 'dev')).caller.role, 'owner');
  await app.close();
  await store.close();
});

test('a membership change takes effect on the next request', async () => {
  const { app, store, header, environments } = await setup();
  const get = () => app.inject({ url: '/v1/nodes', headers: { authorization: header('account with no role anywhere') } });
  assert.equal((await get()).statusCode, 403);
  await environments.setMember('t', 'default', 'nobody', { role: 'readonly' });
  assert.equal((await get()).statusCode, 200);
  await environments.removeMember('t', 'default', 'nobody');
  assert.equal((await get()).statusCode, 403);
  await app.close();
  await store.close();
});

test('refusals never echo the credential', async () => {
  const { app, callers, store } = await setup();
  for (const c of callers.filter((x) => 'fails' in x.is || 'noRole' in x.is)) {
    const res = await app.inject({ url: '/v1/services', headers: c.authorization ? { authorization: c.authorization } : {} });
    const secretPart = c.authorization?.split(' ')[1];
    if (secretPart) assert.ok(!res.body.includes(secretPart), c.name);
  }
  await app.close();
  await store.close();
});
