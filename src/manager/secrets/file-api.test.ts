import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { fileDataLimitBytes } from '../../api/secrets.js';
import { newId } from '../../lib/ids.js';
import { auditDraftsOf } from '../audit/change-entries.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { eventsOf } from '../events/event-mapping.js';
import { opsOf } from '../loop/reconcile-loop.js';
import { reconcile } from '../orchestrator/reconcile.js';
import type { ChangeBatch, Store } from '../store/store.js';
import { fileApis, rejects } from './file-api.test-util.js';
import type { FileObject } from './file-object.js';

const ctx: RequestContext = { actor: 'account:ann', env: 'default' };
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const plaintext = 'hunter2-the-database-password';

/** One orchestrator pass, committed as the loop would. */
async function orchestrate(store: Store): Promise<void> {
  const [services, tasks, nodes] = await Promise.all([store.list<ServiceObject>('service'), store.list<TaskObject>('task'), store.list('node')]);
  const ops = opsOf(reconcile({ services, tasks, nodes: nodes as never, now: Date.now(), newId: () => newId() }));
  if (ops.length > 0) await store.commit(ops, { actor: 'orchestrator' });
}

test('a secret is stored sealed: neither its content nor its base64 is in the store, and no answer returns it', async () => {
  const { store, secrets } = fileApis();
  const created = await secrets.create(ctx, { name: 'db-password', data: b64(plaintext) });
  assert.equal(created.currentVersion, 1);
  assert.equal(created.data, undefined);
  const [stored] = await store.list<FileObject>('secret');
  assert.ok(stored);
  const row = JSON.stringify(stored);
  assert.ok(!row.includes(plaintext) && !row.includes(b64(plaintext)), 'the store row holds the secret');
  assert.ok(!row.includes('size') || stored.versions[0]?.size === plaintext.length);
  for (const answer of [created, await secrets.get(ctx, 'db-password'), await secrets.list(ctx)]) {
    const text = JSON.stringify(answer);
    assert.ok(!text.includes(plaintext) && !text.includes(b64(plaintext)) && !text.includes('sealed'), text);
  }
  assert.ok(!JSON.stringify(created.versions).includes('size'), 'a secret\'s length is not shown');
  await rejects(secrets.get(ctx, 'db-password', { content: true }), 'invalid_argument', 'content');
  assert.equal(await secrets.content('default', 'db-password', 1), b64(plaintext));
  assert.equal(await secrets.content('default', 'db-password', 2), undefined);
});

test('bad input is refused naming the field; names are unique per environment; unknown refs are 404', async () => {
  const { secrets, configs } = fileApis();
  await rejects(secrets.create(ctx, { name: 'x', data: 'not base64!' }), 'invalid_argument', 'data');
  await rejects(secrets.create(ctx, { name: 'x', data: '' }), 'invalid_argument', 'data');
  await rejects(secrets.create(ctx, { name: 'x', data: Buffer.alloc(fileDataLimitBytes + 1).toString('base64') }), 'invalid_argument', 'data', /500 KiB/);
  await secrets.create(ctx, { name: 'big', data: Buffer.alloc(fileDataLimitBytes).toString('base64') });
  await rejects(secrets.create(ctx, { name: 'bad name!', data: b64('a') }), 'invalid_argument', 'name');
  await rejects(secrets.create(ctx, { name: 'x', data: b64('a'), extra: 1 }), 'invalid_argument');
  await secrets.create(ctx, { name: 'x', data: b64('a') });
  await rejects(secrets.create(ctx, { name: 'x', data: b64('b') }), 'already_exists', 'name');
  // Another kind and another environment have their own names.
  await configs.create(ctx, { name: 'x', data: b64('a') });
  await secrets.create({ ...ctx, env: 'dev' }, { name: 'x', data: b64('a') });
  await rejects(secrets.get(ctx, 'nope'), 'not_found');
  await rejects(secrets.rotate(ctx, 'nope', { data: b64('a') }), 'not_found');
  await rejects(secrets.rotate(ctx, 'x', { data: 'é' }), 'invalid_argument', 'data');
  await rejects(secrets.remove(ctx, 'nope'), 'not_found');
  const dev = await secrets.get({ ...ctx, env: 'dev' }, 'x');
  await rejects(secrets.get(ctx, dev.id), 'not_found');
});

test('a service referencing a missing secret or config is refused naming the reference', async () => {
  const { secrets, configs, services } = fileApis();
  await secrets.create(ctx, { name: 'db', data: b64('pw') });
  await rejects(services.create(ctx, { name: 'web', spec: { image: 'x', secrets: [{ source: 'db' }, { source: 'missing' }] } }), 'invalid_argument', 'spec.secrets[1].source', /secret "missing" not found/);
  await rejects(services.create(ctx, { name: 'web', spec: { image: 'x', configs: [{ source: 'db' }] } }), 'invalid_argument', 'spec.configs[0].source');
  await configs.create(ctx, { name: 'site', data: b64('listen 80') });
  const web = await services.create(ctx, { name: 'web', spec: { image: 'x', secrets: [{ source: 'db' }], configs: [{ source: 'site', target: '/etc/site.conf' }] } });
  assert.deepEqual(web.fileVersions, { 'secret/db': 1, 'config/site': 1 });
  await rejects(services.update(ctx, 'web', { spec: { image: 'x', secrets: [{ source: 'gone' }] } }), 'invalid_argument', 'spec.secrets[0].source');
  // Dropping the reference drops the pin.
  const plain = await services.update(ctx, 'web', { spec: { image: 'x' } });
  assert.equal(plain.fileVersions, undefined);
});

test('rotation adds a version and rolls every service that mounts it through a normal update; new tasks pin the new version', async () => {
  const { store, secrets, services } = fileApis();
  await secrets.create(ctx, { name: 'db', data: b64('v1') });
  await secrets.create(ctx, { name: 'other', data: b64('o') });
  const web = await services.create(ctx, { name: 'web', spec: { image: 'x', replicas: 2, secrets: [{ source: 'db' }], updateConfig: { parallelism: 0 } } });
  const bystander = await services.create(ctx, { name: 'cache', spec: { image: 'x', secrets: [{ source: 'other' }] } });
  await orchestrate(store);
  const first = await store.list<TaskObject>('task', { where: { serviceId: web.id } });
  assert.equal(first.length, 2);
  for (const t of first) assert.deepEqual(t.fileVersions, { 'secret/db': 1 });

  const rotated = await secrets.rotate(ctx, 'db', { data: b64('v2') });
  assert.equal(rotated.currentVersion, 2);
  assert.deepEqual(rotated.versions.map((v) => v.version), [1, 2]);
  assert.deepEqual(rotated.usedBy.map((s) => s.name), ['web']);
  const after = await services.get(ctx, 'web');
  assert.equal(after.specVersion, web.specVersion + 1);
  assert.equal(after.spec.forceUpdate, web.spec.forceUpdate + 1);
  assert.equal(after.updateStatus?.state, 'updating');
  assert.match(after.updateStatus?.message ?? '', /secret "db" rotated to version 2/);
  assert.deepEqual(after.fileVersions, { 'secret/db': 2 });
  assert.equal((await services.get(ctx, 'cache')).specVersion, bystander.specVersion, 'a service not using it is left alone');

  for (let i = 0; i < 6; i++) await orchestrate(store);
  const tasks = await store.list<TaskObject>('task', { where: { serviceId: web.id } });
  const live = tasks.filter((t) => t.desiredState === 'running');
  assert.equal(live.length, 2);
  for (const t of live) {
    assert.equal(t.specVersion, after.specVersion);
    assert.deepEqual(t.fileVersions, { 'secret/db': 2 });
  }
  for (const t of first) assert.notEqual((await store.get<TaskObject>('task', t.id))?.desiredState, 'running', 'the old tasks are replaced');
  assert.equal(await secrets.content('default', 'db', 2), b64('v2'));
  assert.equal(await secrets.content('default', 'db', 1), b64('v1'), 'old tasks still pin version 1');
});

test('old versions are pruned to the newest five, except those a service or task still pins', async () => {
  const { store, secrets } = fileApis();
  await secrets.create(ctx, { name: 'db', data: b64('v1') });
  // A leftover task pinning version 1 (e.g. one an update paused on).
  const task = { id: 'task-1', env: 'default', version: 0, serviceId: 's', serviceName: 's', fileVersions: { 'secret/db': 1 } };
  await store.commit([{ op: 'create', kind: 'task', value: task }], { actor: 't' });
  for (let v = 2; v <= 8; v++) await secrets.rotate(ctx, 'db', { data: b64(`v${v}`) });
  const view = await secrets.get(ctx, 'db');
  assert.equal(view.currentVersion, 8);
  assert.deepEqual(view.versions.map((v) => v.version), [1, 4, 5, 6, 7, 8]);
  await store.commit([{ op: 'delete', kind: 'task', id: 'task-1' }], { actor: 't' });
  await secrets.rotate(ctx, 'db', { data: b64('v9') });
  assert.deepEqual((await secrets.get(ctx, 'db')).versions.map((v) => v.version), [5, 6, 7, 8, 9]);
});

test('removal is refused while a service mounts it, naming the services; then it goes with its name', async () => {
  const { secrets, configs, services } = fileApis();
  await secrets.create(ctx, { name: 'db', data: b64('pw') });
  await configs.create(ctx, { name: 'site', data: b64('c') });
  await services.create(ctx, { name: 'web', spec: { image: 'x', secrets: [{ source: 'db' }] } });
  await services.create(ctx, { name: 'api', spec: { image: 'x', secrets: [{ source: 'db' }], configs: [{ source: 'site' }] } });
  await rejects(secrets.remove(ctx, 'db'), 'failed_precondition', undefined, /secret "db" is used by services api, web/);
  await rejects(configs.remove(ctx, 'site'), 'failed_precondition', undefined, /used by service api/);
  assert.deepEqual((await secrets.get(ctx, 'db')).usedBy.map((s) => s.name), ['api', 'web']);
  await services.remove(ctx, 'web');
  await services.remove(ctx, 'api');
  const id = (await secrets.get(ctx, 'db')).id;
  assert.deepEqual(await secrets.remove(ctx, 'db'), { id, name: 'db' });
  await configs.remove(ctx, 'site');
  assert.deepEqual(await secrets.list(ctx), []);
  await secrets.create(ctx, { name: 'db', data: b64('new') });
});

test('ensure creates, keeps identical content without a new version, and adds one when it differs', async () => {
  const { secrets, configs, services } = fileApis();
  const data = Buffer.from([0, 1, 2, 255]);
  assert.deepEqual(await secrets.ensure(ctx, 'app_key', data, { labels: { 'com.docker.stack.namespace': 'shop' } }), { name: 'app_key', version: 1, changed: true });
  assert.deepEqual((await secrets.get(ctx, 'app_key')).labels, { 'com.docker.stack.namespace': 'shop' });
  assert.deepEqual(await secrets.ensure(ctx, 'app_key', Buffer.from([0, 1, 2, 255])), { name: 'app_key', version: 1, changed: false });
  await services.create(ctx, { name: 'web', spec: { image: 'x', secrets: [{ source: 'app_key' }] } });
  assert.deepEqual(await secrets.ensure(ctx, 'app_key', Buffer.from('other')), { name: 'app_key', version: 2, changed: true });
  assert.equal((await services.get(ctx, 'web')).fileVersions?.['secret/app_key'], 2, 'a changed secret rolls its services');
  assert.deepEqual(await configs.ensure(ctx, 'app_key', Buffer.from('x')), { name: 'app_key', version: 1, changed: true });
  await rejects(secrets.ensure(ctx, 'bad name', Buffer.from('x')), 'invalid_argument', 'name');
  await rejects(secrets.ensure(ctx, 'empty', Buffer.alloc(0)), 'invalid_argument', 'data');
});

test('a config can be read back with content; its versions show their size', async () => {
  const { configs } = fileApis();
  await configs.create(ctx, { name: 'nginx', data: b64('server {}') });
  await configs.rotate(ctx, 'nginx', { data: b64('server { listen 80; }') });
  const view = await configs.get(ctx, 'nginx', { content: true });
  assert.equal(Buffer.from(view.data ?? '', 'base64').toString(), 'server { listen 80; }');
  assert.deepEqual(view.versions.map((v) => v.size), [9, 21]);
  assert.equal((await configs.get(ctx, 'nginx')).data, undefined);
});

test('secret and config changes make no events, and their audit entries hold no content', async () => {
  const { store, secrets, configs } = fileApis();
  const batches: ChangeBatch[] = [];
  const watch = store.watch(await store.revision(), (b) => batches.push(b));
  await secrets.create(ctx, { name: 'db', data: b64(plaintext) });
  await secrets.rotate(ctx, 'db', { data: b64(`${plaintext}-2`) });
  await configs.create(ctx, { name: 'site', data: b64('config-body-text') });
  await secrets.remove(ctx, 'db');
  await new Promise((r) => setTimeout(r, 50));
  watch.close();
  assert.ok(batches.length >= 4);
  const events = batches.flatMap(eventsOf);
  assert.deepEqual(events, []);
  const drafts = batches.flatMap(auditDraftsOf);
  assert.deepEqual(drafts.filter((d) => d.object.kind !== 'name-claim').map((d) => `${d.object.kind}:${d.action}:${d.object.name ?? ''}`), [
    'secret:create:db',
    'secret:update:db',
    'config:create:site',
    'secret:delete:db',
  ]);
  const text = JSON.stringify(drafts);
  for (const s of [plaintext, b64(plaintext), 'config-body-text', b64('config-body-text'), 'sealed']) assert.ok(!text.includes(s), s);
});

test('removing an environment takes its secrets and configs', async () => {
  const { store, secrets, configs } = fileApis();
  const dev = { ...ctx, env: 'dev' };
  await secrets.create(dev, { name: 'a', data: b64('1') });
  await configs.create(dev, { name: 'b', data: b64('2') });
  await secrets.create(ctx, { name: 'a', data: b64('1') });
  const ops = [...(await secrets.environmentRemovalOps('dev')), ...(await configs.environmentRemovalOps('dev'))];
  await store.commit(ops, { actor: 't' });
  assert.deepEqual(await secrets.list(dev), []);
  assert.deepEqual(await configs.list(dev), []);
  assert.equal((await secrets.list(ctx)).length, 1);
  await secrets.create(dev, { name: 'a', data: b64('again') });
});
