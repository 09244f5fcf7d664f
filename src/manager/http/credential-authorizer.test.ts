import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { roles, type Role } from '../auth/role-permissions.js';
import { SessionApi } from '../auth/sessions.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { credentialAuthorizer } from './credential-authorizer.js';
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
  /** What the caller is, for the expectation: a role in `default`, an admin, or a failure it must get. */
  is: { role: Role } | { admin: true } | { fails: 401 | 403 } | { noRole: true };
}

async function setup() {
  const store = memoryStore();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const accounts = new AccountApi(store, () => now);
  const sessions = new SessionApi(store, accounts, () => now);
  const apiKeys = new ApiKeyApi(store, () => now);
  const callers: Caller[] = [{ name: 'no credentials', is: { fails: 401 } }];
  await accounts.create('t', { username: 'root', password: pw, admin: true });
  callers.push({ name: 'admin account', authorization: `Bearer ${(await sessions.login('root', pw)).token}`, is: { admin: true } });
  for (const role of roles) {
    await accounts.create('t', { username: `user-${role}`, password: pw, defaultRole: role });
    callers.push({ name: `${role} account`, authorization: `Bearer ${(await sessions.login(`user-${role}`, pw)).token}`, is: { role } });
    const key = await apiKeys.create('t', 'default', { name: `key-${role}`, role });
    callers.push({ name: `${role} key`, authorization: basic(key.accessKey, key.secret), is: { role } });
  }
  const revoked = await apiKeys.create('t', 'default', { name: 'revoked', role: 'owner' });
  await apiKeys.revoke('t', 'default', 'revoked');
  callers.push({ name: 'revoked key', authorization: basic(revoked.accessKey, revoked.secret), is: { fails: 401 } });
  callers.push({ name: 'wrong secret', authorization: basic(revoked.accessKey.replace(/.$/, 'Z'), 'nope'), is: { fails: 401 } });
  const dev = await apiKeys.create('t', 'dev', { name: 'dev-owner', role: 'owner' });
  callers.push({ name: 'owner key of another environment', authorization: basic(dev.accessKey, dev.secret), is: { fails: 403 } });
  const earlier = new SessionApi(store, accounts, () => now - 13 * 3600_000);
  callers.push({ name: 'expired session', authorization: `Bearer ${(await earlier.login('user-owner', pw)).token}`, is: { fails: 401 } });
  callers.push({ name: 'malformed header', authorization: 'Token abc', is: { fails: 401 } });
  const routes = buildRoutes({} as RouteDeps).map((r) => ({ ...r, handler: () => Promise.resolve({ ok: true }) }));
  const app = createHttpServer({ routes, authorizer: credentialAuthorizer({ apiKeys, sessions }), logger: createLogger('test', 'silent') });
  return { app, routes, callers, store };
}

function expectedStatus(grants: string[], caller: Caller, okStatus: number): number {
  if (grants.includes('anyone')) return okStatus;
  if ('fails' in caller.is) return caller.is.fails;
  if ('admin' in caller.is || grants.includes('authenticated')) return okStatus;
  if ('role' in caller.is) return grants.includes(caller.is.role) ? okStatus : 403;
  return 403;
}

test('every route answers every caller exactly as the docs table says', async () => {
  const { app, routes, callers, store } = await setup();
  const grants = documentedGrants();
  let checked = 0;
  for (const route of routes) {
    const documented = grants.get(`${route.method} ${route.url}`);
    assert.ok(documented, `${route.method} ${route.url} is in the docs table`);
    const url = route.url.replace(':role', 'worker').replace(':ref', 'x');
    for (const caller of callers) {
      const res = await app.inject({ method: route.method, url, headers: caller.authorization ? { authorization: caller.authorization } : {} });
      const want = expectedStatus(documented, caller, route.status ?? 200);
      assert.equal(res.statusCode, want, `${caller.name} → ${route.method} ${route.url}: ${res.body}`);
      if (want === 401) assert.equal((res.json<{ error: { code: string } }>()).error.code, 'unauthenticated');
      if (want === 403) assert.equal((res.json<{ error: { code: string } }>()).error.code, 'permission_denied');
      checked++;
    }
  }
  assert.ok(checked > 300);
  await app.close();
  await store.close();
});

test('a key acts only in its environment; a non-admin account has no role outside default (yet)', async () => {
  const { app, callers, store } = await setup();
  const devKey = callers.find((c) => c.name === 'owner key of another environment')?.authorization ?? '';
  const member = callers.find((c) => c.name === 'member account')?.authorization ?? '';
  const admin = callers.find((c) => c.name === 'admin account')?.authorization ?? '';
  assert.equal((await app.inject({ url: '/v1/services?env=dev', headers: { authorization: devKey } })).statusCode, 200);
  const foreign = await app.inject({ url: '/v1/services?env=default', headers: { authorization: devKey } });
  assert.match(foreign.json<{ error: { message: string } }>().error.message, /belongs to environment "dev", not "default"/);
  assert.equal((await app.inject({ url: '/v1/services?env=prod', headers: { authorization: member } })).statusCode, 403);
  assert.equal((await app.inject({ url: '/v1/services?env=prod', headers: { authorization: admin } })).statusCode, 200);
  await app.close();
  await store.close();
});

test('refusals never echo the credential', async () => {
  const { app, callers, store } = await setup();
  for (const c of callers.filter((x) => 'fails' in x.is)) {
    const res = await app.inject({ url: '/v1/services', headers: c.authorization ? { authorization: c.authorization } : {} });
    const secretPart = c.authorization?.split(' ')[1];
    if (secretPart) assert.ok(!res.body.includes(secretPart), c.name);
  }
  await app.close();
  await store.close();
});
