import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { printedAdminPassword } from './harness/admin-client.js';
import { ManagerProcess } from './harness/manager-process.js';

/**
 * Every credential this run creates, and every hash the store keeps of one, is looked for in
 * everything the run could see: all API answers (but the one answer that hands a secret out),
 * the event stream, the audit history and the manager's debug log.
 */
const m = new ManagerProcess([], { SHOAL_LOG_LEVEL: 'debug' });
const answers: string[] = [];
const secrets = new Map<string, string>();
let events = '';
let stopEvents: AbortController | undefined;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, auth: string | undefined, body?: unknown, opts: { handsOutSecret?: boolean } = {}): Promise<Answer> {
  const res = await fetch(`${m.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!opts.handsOutSecret) answers.push(`${method} ${path} ${res.status} ${text}`);
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const bearer = (token: unknown): string => `Bearer ${String(token)}`;
const basic = (access: unknown, secret: unknown): string => `Basic ${Buffer.from(`${String(access)}:${String(secret)}`).toString('base64')}`;

async function login(username: string, password: string): Promise<string> {
  const r = await call('POST', '/v1/login', undefined, { username, password }, { handsOutSecret: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const token = String(r.body.token);
  secrets.set(`session of ${username}`, token);
  return token;
}

/** Collects the event stream of `prod` from its first revision until the run ends. */
async function captureEvents(auth: string): Promise<void> {
  stopEvents = new AbortController();
  const res = await fetch(`${m.url}/v1/events?since=0&env=prod`, { headers: { authorization: auth }, signal: stopEvents.signal });
  assert.equal(res.status, 200);
  const reader = res.body?.getReader();
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return;
        events += Buffer.from(chunk.value).toString();
      }
    } catch {
      // aborted at the end of the run
    }
  })();
}

before(async () => {
  await m.start();
});

after(async () => {
  stopEvents?.abort();
  await m.destroy();
});

test('no password, token, key secret or stored hash appears in answers, events, audit entries or logs', async () => {
  const adminPassword = printedAdminPassword(m.stderr) ?? '';
  secrets.set('admin password', adminPassword);
  const admin = bearer(await login('admin', adminPassword));

  const alicePassword = 'alice-first-password-6f1d';
  secrets.set('alice password', alicePassword);
  assert.equal((await call('POST', '/v1/accounts', admin, { username: 'alice', password: alicePassword })).status, 201);
  assert.equal((await call('POST', '/v1/environments', admin, { name: 'prod' })).status, 201);
  assert.equal((await call('PUT', '/v1/environments/prod/members/alice', admin, { role: 'owner' })).status, 200);
  await captureEvents(admin);

  // Wrong passwords are secrets too: someone mistyping theirs may have typed another one.
  const wrong = 'a-mistyped-password-93ac';
  secrets.set('a wrong password', wrong);
  assert.equal((await call('POST', '/v1/login', undefined, { username: 'alice', password: wrong })).status, 401);

  const alice = bearer(await login('alice', alicePassword));
  const created = await call('POST', '/v1/apikeys?env=prod', alice, { name: 'deploy', role: 'member' }, { handsOutSecret: true });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  secrets.set('API key secret', String(created.body.secret));
  const key = basic(created.body.accessKey, created.body.secret);
  const personal = await call('POST', '/v1/account/apikeys', alice, { name: 'laptop' }, { handsOutSecret: true });
  assert.equal(personal.status, 201, JSON.stringify(personal.body));
  secrets.set('personal key secret', String(personal.body.secret));

  const spec = { name: 'web', spec: { image: 'shoal-test/busybox:1', replicas: 1 } };
  assert.equal((await call('POST', '/v1/services?env=prod', key, spec)).status, 201);
  assert.equal((await call('POST', '/v1/services/web/scale?env=prod', basic(personal.body.accessKey, personal.body.secret), { replicas: 2 })).status, 200);
  for (const path of ['/v1/services?env=prod', '/v1/apikeys?env=prod', '/v1/whoami?env=prod', '/v1/account', '/v1/account/apikeys', '/v1/environments']) {
    assert.equal((await call('GET', path, alice)).status, 200, path);
  }
  const newPassword = 'alice-second-password-c2e8';
  secrets.set('alice new password', newPassword);
  assert.equal((await call('POST', '/v1/account/password', alice, { currentPassword: alicePassword, password: newPassword })).status, 200);
  assert.equal((await call('DELETE', `/v1/apikeys/${String(created.body.accessKey)}?env=prod`, bearer(await login('alice', newPassword)))).status, 200);
  assert.equal((await call('GET', '/v1/services?env=prod', key)).status, 401, 'a revoked key is refused');
  for (const path of ['/v1/accounts', '/v1/accounts/alice', '/v1/audit', '/v1/audit?env=prod', '/v1/info', '/v1/environments/prod/members']) {
    assert.equal((await call('GET', path, admin)).status, 200, path);
  }

  // What the store keeps of the credentials must not get out either.
  const db = new Database(join(m.dataDir, 'manager', 'shoal.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT kind, id, data FROM objects WHERE kind IN ('account', 'api-key', 'session')").all() as { kind: string; id: string; data: string }[];
    for (const row of rows) {
      const value = JSON.parse(row.data) as { passwordHash?: string; secretHash?: string };
      if (value.passwordHash) secrets.set(`password hash (${row.id})`, value.passwordHash.split('$').at(-1) ?? '');
      if (value.secretHash) secrets.set(`secret hash (${row.id})`, value.secretHash);
      if (row.kind === 'session') secrets.set(`session id (hash of a token)`, row.id);
    }
  } finally {
    db.close();
  }
  assert.ok([...secrets.keys()].some((k) => k.startsWith('password hash')), 'the hashes were found in the store');

  await new Promise((r) => setTimeout(r, 500));
  const log = m.stdout;
  // The one place the admin password may appear: the terminal line of the start that created it.
  const terminal = m.stderr.replace(/administrator account \(password shown once\): .*/, '');
  const seen = { answers: answers.join('\n'), events, log, terminal };
  assert.ok(log.length > 1000, `the log holds the run (${log.length} bytes)`);
  assert.ok(events.includes('service'), `the event stream holds the run: ${events.slice(0, 300)}`);
  for (const [what, value] of secrets) {
    assert.ok(value.length >= 16, `${what} is long enough to search for`);
    for (const [where, text] of Object.entries(seen)) assert.ok(!text.includes(value), `${what} appears in ${where}`);
  }
});

test('values of credential variables and hidden env entries reach no view of a readonly key; an update that sends the view back keeps them', async () => {
  const admin = bearer(await login('admin', printedAdminPassword(m.stderr) ?? ''));
  const hidden = new Map<string, string>([
    ['DB_PASSWORD variable', 'db-password-from-a-variable-7a41c'],
    ['API_TOKEN from .env', 'api-token-from-the-env-file-0b9e2'],
    ['SERVICE_TOKEN typed in a spec', 'service-token-typed-in-a-spec-55d1'],
    ['CONN listed in secretEnv', 'postgres://app:conn-listed-in-secret-env-e3f0@db/app'],
  ]);
  const v = (what: string): string => hidden.get(what) ?? '';
  const viewer = await call('POST', '/v1/apikeys?env=prod', admin, { name: 'viewer', role: 'readonly' }, { handsOutSecret: true });
  assert.equal(viewer.status, 201, JSON.stringify(viewer.body));
  const readonly = basic(viewer.body.accessKey, viewer.body.secret);

  const compose = [
    'services:',
    '  db:',
    '    image: shoal-test/busybox:1',
    '    environment:',
    '      DB_PASSWORD: ${DB_PASSWORD}',
    '      DATABASE_URL: postgres://${DB_USER}:${DB_PASSWORD}@db/app',
    '      UPSTREAM: ${API_TOKEN}',
    '      LOG_LEVEL: debug',
    '',
  ].join('\n');
  const deploy = await call('POST', '/v1/stacks?env=prod', admin, {
    name: 'shop',
    files: [{ name: 'compose.yaml', content: compose }],
    envFile: { name: '.env', content: `API_TOKEN=${v('API_TOKEN from .env')}\n` },
    variables: { DB_PASSWORD: v('DB_PASSWORD variable'), DB_USER: 'app' },
  });
  assert.equal(deploy.status, 200, JSON.stringify(deploy.body));
  const created = await call('POST', '/v1/services?env=prod', admin, {
    name: 'api',
    spec: { image: 'shoal-test/busybox:1', env: { SERVICE_TOKEN: v('SERVICE_TOKEN typed in a spec'), CONN: v('CONN listed in secretEnv'), PLAIN: 'shown-as-typed' }, secretEnv: ['CONN'] },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const first = answers.length;
  const views: Record<string, Answer> = {};
  for (const path of ['/v1/stacks/shop', '/v1/stacks/shop/services', '/v1/stacks/shop/tasks', '/v1/services/shop_db', '/v1/services/api', '/v1/services', '/v1/tasks', '/v1/audit']) {
    views[path] = await call('GET', `${path}${path.includes('?') ? '&' : '?'}env=prod`, readonly);
    assert.equal(views[path].status, 200, `${path}: ${JSON.stringify(views[path].body)}`);
  }
  const rendered = views['/v1/stacks/shop']?.body.rendered as { services: Record<string, { env: Record<string, string>; secretEnv?: string[] }> };
  assert.deepEqual(rendered.services.db?.env, { DB_PASSWORD: '[redacted]', DATABASE_URL: '[redacted]', UPSTREAM: '[redacted]', LOG_LEVEL: 'debug' });
  assert.deepEqual(rendered.services.db?.secretEnv, ['DATABASE_URL', 'DB_PASSWORD', 'UPSTREAM']);
  assert.deepEqual((views['/v1/stacks/shop']?.body.source as { envFile: unknown }).envFile, { name: '.env' }, 'the .env file is named, not shown');
  const api = views['/v1/services/api']?.body as { version: number; spec: { env: Record<string, string> } };
  assert.deepEqual(api.spec.env, { SERVICE_TOKEN: '[redacted]', CONN: '[redacted]', PLAIN: 'shown-as-typed' });
  const readonlyViews = answers.slice(first).join('\n');
  for (const [what, value] of hidden) {
    assert.ok(!readonlyViews.includes(value), `${what} appears in what a readonly key reads`);
    assert.ok(!events.includes(value), `${what} appears in the event stream`);
  }

  // `shoal service update` sends back the spec it read: the hidden values stay as stored.
  const alice = bearer(await login('alice', 'alice-second-password-c2e8'));
  const updated = await call('POST', '/v1/services/api/update?env=prod', alice, { version: api.version, spec: { ...api.spec, env: { ...api.spec.env, PLAIN: 'changed' } } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  const unknown = await call('POST', '/v1/services/api/update?env=prod', alice, { spec: { ...api.spec, env: { ...api.spec.env, NEW_ONE: '[redacted]' } } });
  assert.equal(unknown.status, 400);
  assert.equal((unknown.body.error as { field: string }).field, 'spec.env.NEW_ONE');
  const db = new Database(join(m.dataDir, 'manager', 'shoal.db'), { readonly: true });
  try {
    const rows = db.prepare("SELECT data FROM objects WHERE kind = 'service'").all() as { data: string }[];
    const stored = rows.map((r) => JSON.parse(r.data) as { name: string; spec: { env: Record<string, string> } }).find((s) => s.name === 'api');
    assert.deepEqual(stored?.spec.env, { SERVICE_TOKEN: v('SERVICE_TOKEN typed in a spec'), CONN: v('CONN listed in secretEnv'), PLAIN: 'changed' });
  } finally {
    db.close();
  }
  await new Promise((r) => setTimeout(r, 300));
  for (const [what, value] of hidden) {
    assert.ok(!answers.join('\n').includes(value), `${what} appears in an API answer`);
    assert.ok(!m.stdout.includes(value), `${what} appears in the log`);
  }
});
