import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditEntry } from '../../api/audit.js';
import type { NodeObject, TaskObject } from '../../api/objects.js';
import { AccountApi } from '../auth/accounts.js';
import { ApiKeyApi } from '../auth/api-keys.js';
import { SessionApi } from '../auth/sessions.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import { ServiceApi } from '../controlapi/services.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store, StoredObject } from '../store/store.js';
import type { AccountObject, ApiKeyObject } from '../auth/account-object.js';
import { AuditLog } from './audit-log.js';
import { listEntries } from './audit-records.js';
import { runWithOrigin, withRequestOrigin } from './request-origin.js';

const pw = 'a long enough password';
const ann = { actor: 'account:ann', env: 'default' };
const all = { limit: 10_000 };

async function withAudit(fn: (store: Store, audit: AuditLog) => Promise<void>): Promise<void> {
  const store = withRequestOrigin(memoryStore());
  const audit = new AuditLog({ store });
  await audit.start();
  try {
    await fn(store, audit);
  } finally {
    await audit.stop();
    await store.close();
  }
}

const task = (id: string, state: TaskObject['status']['state'], desiredState: TaskObject['desiredState'] = 'running'): TaskObject => ({
  id,
  env: 'default',
  version: 0,
  createdAt: '',
  updatedAt: '',
  serviceId: 'svc',
  serviceName: 'web',
  slot: 1,
  specVersion: 1,
  spec: { image: 'nginx' } as TaskObject['spec'],
  desiredState,
  status: { state, message: state, timestamp: new Date().toISOString() },
});

test('service changes are recorded with actor, source, action and the spec before and after', async () => {
  await withAudit(async (store, audit) => {
    const services = new ServiceApi(store);
    await runWithOrigin({ source: '192.0.2.10' }, async () => {
      await services.create(ann, { name: 'web', spec: { image: 'nginx:1', replicas: 1 } });
      await services.update(ann, 'web', { spec: { image: 'nginx:2', replicas: 1 } });
      await services.scale(ann, 'web', { replicas: 3 });
      await services.rollback(ann, 'web');
      await services.remove(ann, 'web');
    });
    const { entries } = await audit.query('default', all);
    assert.deepEqual(entries.map((e) => e.action), ['create', 'update', 'scale', 'rollback', 'delete']);
    for (const e of entries) {
      assert.equal(e.actor, 'account:ann');
      assert.equal(e.source, '192.0.2.10');
      assert.deepEqual({ kind: e.object.kind, name: e.object.name }, { kind: 'service', name: 'web' });
      assert.ok(e.revision && e.revision > 0);
    }
    const [create, update, scale, rollback, remove] = entries;
    assert.equal(create?.before, undefined);
    assert.equal((create?.after as { spec: { image: string } }).spec.image, 'nginx:1');
    assert.equal((update?.before as { spec: { image: string } }).spec.image, 'nginx:1');
    assert.equal((update?.after as { spec: { image: string } }).spec.image, 'nginx:2');
    assert.deepEqual([scale?.details?.from, scale?.details?.to], [1, 3]);
    assert.equal((rollback?.after as { spec: { image: string } }).spec.image, 'nginx:1');
    assert.equal((remove?.before as { spec: { image: string } }).spec.image, 'nginx:1');
    assert.equal(remove?.after, undefined);
  });
});

test('task state changes are recorded as from/to, not whole tasks; internal actors carry no source', async () => {
  await withAudit(async (store, audit) => {
    await store.commit([{ op: 'create', kind: 'task', value: task('t1', 'pending') }], { actor: 'orchestrator' });
    const assigned: TaskObject = { ...task('t1', 'assigned'), nodeId: 'n1' };
    await store.commit([{ op: 'put', kind: 'task', value: assigned }], { actor: 'scheduler' });
    // A status refresh that changes no state is not a change worth a record.
    const refreshed: TaskObject = { ...assigned, status: { ...assigned.status, message: 'again' } };
    await store.commit([{ op: 'put', kind: 'task', value: refreshed }], { actor: 'dispatcher' });
    const stopping: TaskObject = { ...assigned, desiredState: 'shutdown' };
    await store.commit([{ op: 'put', kind: 'task', value: stopping }], { actor: 'orchestrator' });
    await store.commit([{ op: 'delete', kind: 'task', id: 't1' }], { actor: 'reaper' });
    const { entries } = await audit.query('default', all);
    assert.deepEqual(entries.map((e) => [e.action, e.actor]), [['create', 'orchestrator'], ['task-state', 'scheduler'], ['task-desired', 'orchestrator'], ['delete', 'reaper']]);
    assert.deepEqual([entries[1]?.details?.from, entries[1]?.details?.to, entries[1]?.details?.node], ['pending', 'assigned', 'n1']);
    assert.deepEqual([entries[2]?.details?.from, entries[2]?.details?.to], ['running', 'shutdown']);
    assert.ok(entries.every((e) => e.source === undefined && e.before === undefined && e.after === undefined));
    assert.equal(entries[0]?.object.name, 'web.1');
  });
});

test('node state changes and node updates are recorded; heartbeats are not', async () => {
  await withAudit(async (store, audit) => {
    const node: NodeObject = {
      id: 'n1', env: 'default', version: 0, createdAt: '', updatedAt: '', hostname: 'h1', role: 'worker', availability: 'active', labels: {},
      status: { state: 'ready', message: 'ok', address: '10.0.0.1', timestamp: 't1' }, resources: { nanoCpus: 1, memoryBytes: 1 }, engine: { version: '1', os: 'linux', arch: 'x64' },
    };
    await store.commit([{ op: 'create', kind: 'node', value: node }], { actor: 'dispatcher' });
    const heartbeat: NodeObject = { ...node, status: { ...node.status, timestamp: 't2' } };
    const down: NodeObject = { ...node, status: { ...node.status, state: 'down', timestamp: 't3' } };
    const drained: NodeObject = { ...down, availability: 'drain' };
    for (const [value, actor] of [[heartbeat, 'dispatcher'], [down, 'dispatcher'], [drained, 'account:ann']] as const) {
      await store.commit([{ op: 'put', kind: 'node', value }], { actor });
    }
    const { entries } = await audit.query('default', { ...all, object: { kind: 'node', ref: 'h1' } });
    assert.deepEqual(entries.map((e) => e.action), ['create', 'node-state', 'update']);
    assert.deepEqual([(entries[2]?.before as NodeObject).availability, (entries[2]?.after as NodeObject).availability], ['active', 'drain']);
  });
});

test('no password hash, key secret hash, join token or session id reaches any entry; logins and logouts are recorded', async () => {
  await withAudit(async (store, audit) => {
    const accounts = new AccountApi(store);
    const sessions = new SessionApi(store, accounts);
    const keys = new ApiKeyApi(store);
    await runWithOrigin({ source: '192.0.2.20' }, async () => {
      await accounts.create('bootstrap', { username: 'ann', password: pw, admin: true });
      await accounts.passwd('account:ann', 'ann', { password: `${pw} 2` });
      const { token } = await sessions.login('ann', `${pw} 2`);
      await sessions.logout(token, 'account:ann');
    });
    const key = await keys.create('account:ann', 'default', { name: 'ci', role: 'member' });
    const secretHash = (await store.list<ApiKeyObject>('api-key'))[0]?.secretHash ?? '';
    const cluster = (hash: string, sealed: string): StoredObject => ({ id: 'cluster', env: '', version: 0, caCertificate: 'CERT', tokens: { worker: { hash, sealed, rotatedAt: sealed } } }) as StoredObject;
    await store.commit([{ op: 'create', kind: 'cluster', value: cluster('HASH-OF-TOKEN', 'SEALED-TOKEN') }], { actor: 'ca' });
    await store.commit([{ op: 'put', kind: 'cluster', value: cluster('HASH-2', 'SEALED-2') }], { actor: 'account:ann' });
    const sessionIds = (await store.list('session')).map((s) => s.id);
    const accountHash = (await store.list<AccountObject>('account'))[0]?.passwordHash ?? '';

    const entries = await listEntries(store);
    const text = JSON.stringify(entries);
    for (const secret of [accountHash, 'scrypt', secretHash, key.secret, 'HASH-OF-TOKEN', 'SEALED-TOKEN', 'SEALED-2', pw, ...sessionIds]) {
      assert.ok(secret.length > 0 && !text.includes(secret), `"${secret.slice(0, 12)}..." appears in the audit history`);
    }
    const clusterWide = (await audit.query('', all)).entries;
    const actions = clusterWide.map((e) => `${e.object.kind}:${e.action}`);
    assert.deepEqual(actions, ['account:create', 'account:update', 'account:login', 'account:logout', 'cluster:create', 'cluster:update']);
    assert.equal(clusterWide[1]?.details?.changed, 'passwordHash,updatedAt', 'a password change is recorded, naming the field only');
    assert.equal(clusterWide[5]?.details?.changed, 'tokens', 'a token rotation is recorded though the tokens are redacted');
    const login = clusterWide[2];
    assert.deepEqual([login?.actor, login?.source, login?.object.name], ['account:ann', '192.0.2.20', 'ann']);
    const keyEntry = (await audit.query('default', { ...all, object: { kind: 'api-key', ref: 'ci' } })).entries[0];
    assert.equal((keyEntry?.after as { secretHash: string }).secretHash, '[redacted]');
  });
});

test('a key\'s last-used bookkeeping is not recorded, but writes made with the key carry it as the actor', async () => {
  await withAudit(async (store, audit) => {
    const keys = new ApiKeyApi(store);
    const key = await keys.create('account:ann', 'default', { name: 'ci', role: 'member' });
    assert.ok(await keys.verify(key.accessKey, key.secret));
    await new ServiceApi(store).create({ actor: `apikey:${key.accessKey}`, env: 'default' }, { name: 'web', spec: { image: 'nginx' } });
    const { entries } = await audit.query('default', all);
    assert.deepEqual(entries.map((e) => [e.object.kind, e.action, e.actor]), [['api-key', 'create', 'account:ann'], ['service', 'create', `apikey:${key.accessKey}`]]);
  });
});

test('a restart resumes from the cursor: changes made while stopped are recorded once, nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-audit-'));
  const path = join(dir, 'shoal.db');
  try {
    let store = new SqliteStore(path);
    let audit = new AuditLog({ store });
    await audit.start();
    const services = (s: Store) => new ServiceApi(s);
    await services(store).create(ann, { name: 'a', spec: { image: 'nginx' } });
    await audit.stop();
    // Changes while no recorder runs (the manager is down, or crashed before writing them).
    await services(store).create(ann, { name: 'b', spec: { image: 'nginx' } });
    await store.close();

    store = new SqliteStore(path);
    audit = new AuditLog({ store });
    await audit.start();
    await services(store).create(ann, { name: 'c', spec: { image: 'nginx' } });
    await audit.stop();
    await store.close();

    store = new SqliteStore(path);
    audit = new AuditLog({ store });
    await audit.start();
    const { entries } = await audit.query('default', all);
    assert.deepEqual(entries.map((e: AuditEntry) => e.object.name), ['a', 'b', 'c']);
    assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3]);
    assert.equal((await audit.verify()).ok, true);
    await audit.stop();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explicit notices (a failed login) join the same chain', async () => {
  await withAudit(async (_store, audit) => {
    await audit.append([{ actor: 'anonymous', source: '192.0.2.30', action: 'login-failed', object: { kind: 'account', name: 'mallory' } }]);
    const { entries } = await audit.query('', { ...all, actions: ['login-failed'] });
    assert.equal(entries.length, 1);
    assert.deepEqual([entries[0]?.actor, entries[0]?.source, entries[0]?.object.name, entries[0]?.revision], ['anonymous', '192.0.2.30', 'mallory', undefined]);
    assert.equal((await audit.verify()).ok, true);
  });
});

test('retention by age: the sweep removes only entries older than the retention period', async () => {
  let now = Date.parse('2024-03-01T00:00:00Z');
  const store = memoryStore();
  const audit = new AuditLog({ store, now: () => now, retentionMs: 24 * 3600_000 });
  await audit.start();
  await audit.append([{ actor: 'anonymous', action: 'login-failed', object: { kind: 'account', name: 'x' } }]);
  now += 2 * 24 * 3600_000;
  await audit.append([{ actor: 'anonymous', action: 'login-failed', object: { kind: 'account', name: 'y' } }]);
  assert.equal(await audit.prune(), 1);
  assert.deepEqual((await audit.query(undefined, all)).entries.map((e) => e.object.name), ['y']);
  assert.equal((await audit.verify()).ok, true);
  await audit.stop();
  await store.close();
});

test('changes the change log no longer holds when the recorder resumes are marked by an audit-gap entry', async () => {
  const store = new SqliteStore(':memory:', { historyLimit: 10 });
  let audit = new AuditLog({ store });
  await audit.start();
  await store.commit([{ op: 'create', kind: 'service', value: { id: 's0', env: 'default', version: 0 } }], { actor: 't' });
  await audit.stop();
  for (let i = 1; i <= 520; i++) await store.commit([{ op: 'put', kind: 'environment', value: { id: 'dev', env: '', version: 0, n: i } as never }], { actor: 't' });
  audit = new AuditLog({ store });
  await audit.start();
  const gap = (await audit.query('', all)).entries.find((e) => e.action === 'audit-gap');
  assert.ok(gap, 'the gap is recorded');
  // Revision 2 is the audit log's own first commit; 3 on are the changes made while stopped.
  assert.equal(gap.details?.fromRevision, 2);
  const kept = (await audit.query('', { ...all, object: { kind: 'environment', ref: 'dev' } })).entries;
  assert.ok(kept.length >= 10 && kept.length < 520, 'what the log still holds is recorded');
  assert.equal(gap.details?.toRevision, (kept[0]?.revision ?? 0) - 1);
  assert.equal((await audit.verify()).ok, true);
  await audit.stop();
  await store.close();
});
