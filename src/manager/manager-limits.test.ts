import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { limits } from '../api/limits.js';
import { createLogger } from '../lib/logger.js';
import type { ServiceObject, TaskObject } from '../api/objects.js';
import { serviceSpecSchema } from '../api/service-spec.js';
import { startManager } from './manager.js';
import { claimId } from './controlapi/services.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
}

type Call = (method: string, path: string, body?: unknown, auth?: string) => Promise<Answer>;

/**
 * A manager with credentials required on a fresh SQLite store (`seed` writes into it first, as
 * a hand edit or an older manager would), its admin's bearer header, and a call helper.
 */
async function withManager(fn: (call: Call, admin: string, store: Store) => Promise<void>, options: { seed?: (store: Store) => Promise<void>; logLines?: string[] } = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-limits-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  const logger = options.logLines ? createLogger('test', { level: 'info', destination: { write: (line: string) => void options.logLines?.push(line) } }) : createLogger('test', 'silent');
  try {
    await options.seed?.(store);
    const m = await startManager({ store, logger, dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, auth: 'required' });
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
      await fn(call, `Bearer ${String(login.body.token)}`, store);
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

/** A service written straight into the store, bypassing every check of the API. */
function storedService(name: string, replicas: number): ServiceObject {
  const time = new Date().toISOString();
  const spec = { ...serviceSpecSchema.parse({ image: 'shoal-test/busybox:1' }), replicas };
  return { id: `svc-${name}`, env: 'default', version: 0, createdAt: time, updatedAt: time, name, spec, specVersion: 1 };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return assert.fail(`timed out waiting for ${what}`);
}

test('issue 10: a stored service of 1e9 replicas does not take the manager down; it is logged once, marked and left alone, the others reconcile', async () => {
  const logLines: string[] = [];
  const seed = async (store: Store): Promise<void> => {
    for (const s of [storedService('huge', 1_000_000_000), storedService('fine', 2)]) {
      const claim = { id: claimId('default', s.name), env: 'default', version: 0, objectId: s.id };
      await store.commit([{ op: 'create', kind: 'name-claim', value: claim }, { op: 'create', kind: 'service', value: s }], { actor: 'hand-edit' });
    }
  };
  await withManager(async (call, admin, store) => {
    const tasksOf = async (id: string): Promise<TaskObject[]> => (await store.list<TaskObject>('task')).filter((t) => t.serviceId === id);
    assert.equal((await call('GET', '/healthz')).status, 200);
    // The stored good service and one created now both get their tasks.
    assert.equal((await call('POST', '/v1/services', { name: 'new', spec: { image: 'shoal-test/busybox:1', replicas: 1 } }, admin)).status, 201);
    await until('the tasks of the other services', async () => ((await tasksOf('svc-fine')).length === 2 ? true : undefined));
    const created = (await call('GET', '/v1/services/new', undefined, admin)).body as unknown as ServiceObject;
    await until('the task of the new service', async () => ((await tasksOf(created.id)).length === 1 ? true : undefined));
    const huge = await until('the refusal on the service', async () => {
      const view = (await call('GET', '/v1/services/huge', undefined, admin)).body as unknown as ServiceObject;
      return view.refused ? view : undefined;
    });
    assert.match(huge.refused?.reason ?? '', /spec\.replicas: 1000000000 is not a whole number from 0 to 10000/);
    assert.equal((await tasksOf('svc-huge')).length, 0);
    assert.equal((await call('GET', '/healthz')).status, 200);
    const refusals = () => logLines.filter((l) => l.includes('refusing to act on a stored service') && l.includes('svc-huge'));
    assert.equal(refusals().length, 1, 'logged once');
    assert.match(refusals()[0] ?? '', /"reason":"spec\.replicas: 1000000000/);

    // Scaling it within the limits (the quotas see 1e9 now, so shrinking is allowed) brings it back.
    const scaled = await call('POST', '/v1/services/huge/scale', { replicas: 2 }, admin);
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    await until('the fixed service to reconcile', async () => ((await tasksOf('svc-huge')).length === 2 ? true : undefined));
    await until('the mark to be cleared', async () => (((await call('GET', '/v1/services/huge', undefined, admin)).body as unknown as ServiceObject).refused === undefined ? true : undefined));
    assert.equal(refusals().length, 1);
  }, { seed, logLines });
});
