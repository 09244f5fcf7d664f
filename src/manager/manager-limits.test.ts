import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { limits } from '../api/limits.js';
import { startManager } from './manager.js';
import { SqliteStore } from './store/sqlite-store.js';

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
}

/** A manager with credentials required, its admin's bearer header, and a call helper. */
async function withManager(fn: (call: (method: string, path: string, body?: unknown, auth?: string) => Promise<Answer>, admin: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-limits-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  try {
    const m = await startManager({ store, logger: pino({ level: 'silent' }), dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, auth: 'required' });
    try {
      const call = async (method: string, path: string, body?: unknown, auth?: string): Promise<Answer> => {
        const res = await fetch(m.url + path, {
          method,
          headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (await res.json()) as Answer['body'] };
      };
      assert.ok(m.newAdmin);
      const login = await call('POST', '/v1/login', { username: m.newAdmin.username, password: m.newAdmin.password });
      await fn(call, `Bearer ${String(login.body.token)}`);
    } finally {
      await m.stop();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('issue 10: scale to 1e9 replicas by a restricted key is refused with 400 naming replicas; the bad specs of the issue too', async () => {
  await withManager(async (call, admin) => {
    assert.equal((await call('POST', '/v1/services', { name: 'web', spec: { image: 'shoal-test/busybox:1', replicas: 1 } }, admin)).status, 201);
    const key = await call('POST', '/v1/apikeys', { name: 'ci', role: 'restricted' }, admin);
    assert.equal(key.status, 201, JSON.stringify(key.body));
    const restricted = `Basic ${Buffer.from(`${String(key.body.accessKey)}:${String(key.body.secret)}`).toString('base64')}`;

    const scaled = await call('POST', '/v1/services/web/scale', { replicas: 1_000_000_000 }, restricted);
    assert.equal(scaled.status, 400, JSON.stringify(scaled.body));
    assert.equal(scaled.body.error?.code, 'invalid_argument');
    assert.equal(scaled.body.error?.field, 'replicas');
    assert.match(scaled.body.error?.message ?? '', new RegExp(`at most ${limits.replicasPerService}`));

    const bad: [unknown, string][] = [
      [{ image: 'busybox\n\0' }, 'spec.image'],
      [{ image: 'a'.repeat(10_000) }, 'spec.image'],
      [{ image: 'busybox', mounts: [{ type: 'volume', source: '../../etc', target: '/x' }] }, 'spec.mounts[0].source'],
    ];
    for (const [spec, field] of bad) {
      const r = await call('POST', '/v1/services', { name: 'bad', spec }, restricted);
      assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
      assert.equal(r.body.error?.field, field);
    }
    const web = await call('GET', '/v1/services/web', undefined, admin);
    assert.equal((web.body.spec as { replicas: number }).replicas, 1, 'nothing stored changed');
    assert.equal((await call('GET', '/v1/services/bad', undefined, admin)).status, 404);
  });
});
