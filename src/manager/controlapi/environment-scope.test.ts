import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeObject, TaskObject } from '../../api/objects.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { NodeApi } from './nodes.js';
import type { RequestContext } from './request-context.js';
import { ServiceApi } from './services.js';
import { TaskApi } from './tasks.js';

const dev: RequestContext = { actor: 't', env: 'dev' };
const prod: RequestContext = { actor: 't', env: 'prod' };
const time = '2026-01-01T00:00:00.000Z';

const node = (id: string, env: string, hostname: string): NodeObject => ({
  id, env, version: 0, createdAt: time, updatedAt: time, hostname, role: 'worker', availability: 'active', labels: {},
  status: { state: 'down', message: '', address: '', timestamp: time }, resources: { nanoCpus: 1e9, memoryBytes: 2 ** 30 }, engine: { version: '', os: 'linux', arch: 'x86_64' },
});

async function setup() {
  const store = new SqliteStore(':memory:');
  const services = new ServiceApi(store);
  const nodes = new NodeApi(store);
  const tasks = new TaskApi(store);
  // The same hostname in both environments: each resolves to its own.
  await store.commit([{ op: 'create', kind: 'node', value: node('devnode0001', 'dev', 'box') }, { op: 'create', kind: 'node', value: node('prodnode001', 'prod', 'box') }], { actor: 't' });
  return { store, services, nodes, tasks };
}

const notFound = (e: Error & { code?: string }) => e.code === 'not_found';

test('a service name is unique within an environment, not across', async () => {
  const { services } = await setup();
  const d = await services.create(dev, { name: 'web', spec: { image: 'nginx' } });
  const p = await services.create(prod, { name: 'web', spec: { image: 'nginx', replicas: 3 } });
  assert.notEqual(d.id, p.id);
  await assert.rejects(services.create(dev, { name: 'web', spec: { image: 'x' } }), (e: Error & { code?: string; field?: string }) => e.code === 'already_exists' && e.field === 'name');
  assert.equal((await services.get(prod, 'web')).id, p.id);
  assert.equal((await services.get(dev, 'web')).id, d.id);
  assert.deepEqual((await services.list(dev)).map((s) => s.id), [d.id]);
  await services.remove(dev, 'web');
  assert.equal((await services.get(prod, 'web')).spec.replicas, 3, 'removing dev\'s web leaves prod\'s alone');
  await services.create(dev, { name: 'web', spec: { image: 'nginx' } });
});

test('another environment\'s service is not found by id, name or prefix, for reads and writes alike', async () => {
  const { services } = await setup();
  const p = await services.create(prod, { name: 'api', spec: { image: 'x' } });
  for (const ref of [p.id, 'api', p.id.slice(0, 5)]) {
    await assert.rejects(services.get(dev, ref), notFound, ref);
    await assert.rejects(services.update(dev, ref, { spec: { image: 'y' } }), notFound, ref);
    await assert.rejects(services.scale(dev, ref, { replicas: 2 }), notFound, ref);
    await assert.rejects(services.rollback(dev, ref), notFound, ref);
    await assert.rejects(services.remove(dev, ref), notFound, ref);
  }
  assert.deepEqual(await services.list(dev, { name: 'api' }), []);
  assert.equal((await services.get(prod, p.id)).spec.image, 'x', 'nothing changed');
});

test('nodes: list, hostnames and ids resolve only in the caller\'s environment', async () => {
  const { nodes } = await setup();
  assert.deepEqual((await nodes.list(dev)).map((n) => n.id), ['devnode0001']);
  assert.equal((await nodes.get(prod, 'box')).id, 'prodnode001');
  assert.equal((await nodes.get(dev, 'box')).id, 'devnode0001');
  for (const ref of ['prodnode001', 'prodn']) {
    await assert.rejects(nodes.get(dev, ref), notFound, ref);
    await assert.rejects(nodes.update(dev, ref, { availability: 'drain' }), notFound, ref);
    await assert.rejects(nodes.remove(dev, ref, { force: true }), notFound, ref);
  }
  assert.equal((await nodes.get(prod, 'prodnode001')).availability, 'active', 'nothing changed');
});

test('tasks: listed only in their environment; filters naming another environment\'s service or node are 404', async () => {
  const { store, services, tasks } = await setup();
  const p = await services.create(prod, { name: 'web', spec: { image: 'x' } });
  const d = await services.create(dev, { name: 'web', spec: { image: 'x' } });
  const task = (id: string, env: string, serviceId: string, nodeId: string): TaskObject => ({
    id, env, version: 0, createdAt: time, updatedAt: time, serviceId, serviceName: 'web', slot: 1, nodeId, specVersion: 1, spec: p.spec, desiredState: 'running',
    status: { state: 'running', message: '', timestamp: time },
  });
  await store.commit([{ op: 'create', kind: 'task', value: task('tprod', 'prod', p.id, 'prodnode001') }, { op: 'create', kind: 'task', value: task('tdev', 'dev', d.id, 'devnode0001') }], { actor: 't' });
  assert.deepEqual((await tasks.list(dev)).map((t) => t.id), ['tdev']);
  assert.deepEqual((await tasks.list(prod, { service: 'web', node: 'box' })).map((t) => t.id), ['tprod']);
  await assert.rejects(tasks.list(dev, { service: p.id }), notFound);
  await assert.rejects(tasks.list(dev, { node: 'prodnode001' }), notFound);
  assert.deepEqual((await services.get(dev, 'web')).replicas, { running: 1, desired: 1, completed: 0 }, 'replica counts see only the environment\'s tasks');
});
