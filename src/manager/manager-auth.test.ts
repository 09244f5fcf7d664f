import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// eslint-disable-next-line no-restricted-imports -- deliberately without the factory's redaction (see below)
import { pino } from 'pino';
import { startManager, type ManagerOptions, type RunningManager } from './manager.js';
import { SqliteStore } from './store/sqlite-store.js';

// Everything the manager logs, at debug level and without redaction, so a secret that reached any
// log call at all is caught.
const logLines: string[] = [];
const captureLogger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

async function withManager(auth: ManagerOptions['auth'], fn: (url: string, admin: RunningManager['newAdmin']) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-auth-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  try {
    const m = await startManager({ store, logger: captureLogger, dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, ...(auth ? { auth } : {}) });
    try {
      await fn(m.url, m.newAdmin);
    } finally {
      await m.stop();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('auth required: only /healthz and login answer without credentials; the bootstrap admin logs in', async () => {
  await withManager('required', async (url, admin) => {
    assert.ok(admin, 'the first start creates the admin and returns its password once');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const denied = await fetch(`${url}/v1/info`);
    assert.equal(denied.status, 401);
    assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'unauthenticated');
    const login = await fetch(`${url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin.username, password: admin.password }) });
    assert.equal(login.status, 200);
    const { token } = (await login.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    assert.equal((await fetch(`${url}/v1/info`, { headers: bearer })).status, 200);
    const key = (await (await fetch(`${url}/v1/apikeys`, { method: 'POST', headers: bearer, body: JSON.stringify({ name: 'ci', role: 'readonly' }) })).json()) as { accessKey: string; secret: string };
    const basic = { authorization: `Basic ${Buffer.from(`${key.accessKey}:${key.secret}`).toString('base64')}` };
    assert.equal((await fetch(`${url}/v1/services`, { headers: basic })).status, 200);
    assert.equal((await fetch(`${url}/v1/nodes/x`, { method: 'DELETE', headers: basic })).status, 403, 'readonly');
    await fetch(`${url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a wrong guess here' }) });
    const logs = logLines.join('');
    assert.ok(logs.length > 0);
    assert.equal((await fetch(`${url}/v1/nodes`, { headers: { authorization: `Basic ${Buffer.from(`${admin.accessKey}:${admin.secret}`).toString('base64')}` } })).status, 200, 'the personal key written for the local CLI acts as the admin');
    for (const secret of [admin.password, token, key.secret, admin.secret]) assert.ok(!logs.includes(secret), 'no credential in the logs');
  });
});

test('credentials are required by default; open is only what a caller asks for explicitly', async () => {
  await withManager(undefined, async (url, admin) => {
    assert.ok(admin, 'the default start creates the admin');
    assert.equal((await fetch(`${url}/v1/info`)).status, 401);
  });
  await withManager('open', async (url, admin) => {
    assert.equal(admin, undefined, 'no account is made while open');
    assert.equal((await fetch(`${url}/v1/info`)).status, 200);
  });
});
