import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { startManager, type ManagerOptions } from '../manager.js';
import { SqliteStore } from '../store/sqlite-store.js';

/** The manager's wiring of environments: `default` exists from the first start, unknown ones are 404. */

/** Starts a manager `starts` times on one store and data dir (each stopped before the next), then runs `fn` against the last. */
async function withManagers(starts: number, auth: ManagerOptions['auth'], fn: (url: string, admin?: { username: string; password: string }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-env-start-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  const start = () => startManager({ store, logger: createLogger('test', 'silent'), dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, ...(auth ? { auth } : {}) });
  try {
    let m = await start();
    const admin = m.newAdmin;
    for (let i = 1; i < starts; i++) {
      await m.stop();
      m = await start();
    }
    try {
      await fn(m.url, admin);
    } finally {
      await m.stop();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('with auth: default exists from the first start, once after a restart; unknown environments are 404', async () => {
  await withManagers(2, 'required', async (url, admin) => {
    assert.ok(admin);
    const login = await fetch(`${url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: admin.username, password: admin.password }) });
    const { token } = (await login.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    const listed = await fetch(`${url}/v1/environments`, { headers });
    const envs = (await listed.json()) as { name: string }[];
    assert.equal(listed.status, 200, JSON.stringify(envs));
    assert.deepEqual(envs.map((e) => e.name), ['default']);
    assert.equal((await fetch(`${url}/v1/services`, { headers })).status, 200);
    const ghost = await fetch(`${url}/v1/services?env=ghost`, { headers });
    assert.equal(ghost.status, 404);
    assert.equal(((await ghost.json()) as { error: { message: string } }).error.message, 'environment "ghost" not found');
    assert.equal((await fetch(`${url}/v1/services?env=ghost`)).status, 401, 'no credential: 401 before anything is said about environments');
  });
});

test('open mode grants everything but still answers 404 for an environment that does not exist', async () => {
  await withManagers(1, 'open', async (url) => {
    assert.equal((await fetch(`${url}/v1/services`)).status, 200);
    assert.equal((await fetch(`${url}/v1/services?env=ghost`)).status, 404);
    const created = await fetch(`${url}/v1/environments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'dev' }) });
    assert.equal(created.status, 201);
    assert.equal((await fetch(`${url}/v1/services?env=dev`)).status, 200);
  });
});
