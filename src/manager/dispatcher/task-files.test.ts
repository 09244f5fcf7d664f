import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import type { ManagerMessage } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../../api/service-spec.js';
import type { TaskState } from '../../api/task-state.js';
import { createLogger } from '../../lib/logger.js';
import { memoryStore } from '../auth/test-store.test-util.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import { Dispatcher } from './dispatcher.js';
import { filesForTasks, type TaskFileSource } from './task-files.js';

const content: TaskFileSource = {
  content: (env, kind, name, version) => Promise.resolve(name === 'gone' ? undefined : `${env}:${kind}:${name}:${version}`),
};

function task(id: string, spec: ServiceSpecInput, over: Partial<TaskObject> = {}, state: TaskState = 'running'): TaskObject {
  return {
    id,
    env: 'default',
    version: 0,
    createdAt: '',
    updatedAt: '',
    serviceId: 's',
    serviceName: 's',
    specVersion: 1,
    spec: serviceSpecSchema.parse(spec),
    desiredState: 'running',
    status: { state, message: '', timestamp: '' },
    ...over,
  };
}

const withFiles: ServiceSpecInput = { image: 'x', secrets: [{ source: 'db' }], configs: [{ source: 'site', target: '/etc/site' }] };
const pins = { 'secret/db': 2, 'config/site': 1 };

test('only the pinned versions of tasks that are to run go out, each once', async () => {
  const files = await filesForTasks([
    task('a', withFiles, { fileVersions: pins }),
    task('b', withFiles, { fileVersions: pins }, 'pending'),
    task('c', withFiles, { fileVersions: { 'secret/db': 1, 'config/site': 1 } }),
    // Being stopped, or ended: needs nothing.
    task('d', { image: 'x', secrets: [{ source: 'stopping' }] }, { fileVersions: { 'secret/stopping': 1 }, desiredState: 'shutdown' }),
    task('e', { image: 'x', secrets: [{ source: 'ended' }] }, { fileVersions: { 'secret/ended': 1 } }, 'failed'),
    // A version that is gone is left out rather than failing the whole assignment.
    task('f', { image: 'x', secrets: [{ source: 'gone' }] }, { fileVersions: { 'secret/gone': 1 } }),
    task('g', { image: 'x' }),
  ], content);
  assert.deepEqual(files.map((f) => `${f.kind}/${f.name}@${f.version}=${f.data}`).sort(), [
    'config/site@1=default:config:site:1',
    'secret/db@1=default:secret:db:1',
    'secret/db@2=default:secret:db:2',
  ]);
  assert.deepEqual(await filesForTasks([task('g', { image: 'x' })], content), []);
});

/** An agent session over plain WebSocket (the TLS identity is the test's to give). */
async function session(url: string): Promise<{ messages: ManagerMessage[]; ws: WebSocket }> {
  const ws = new WebSocket(url);
  const messages: ManagerMessage[] = [];
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as ManagerMessage));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'hello', hostname: 'n1', resources: { nanoCpus: 1e9, memoryBytes: 1e9 }, engine: { version: '1', os: 'linux', arch: 'x' }, tasks: [] }));
  return { messages, ws };
}

async function until<T>(fn: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

test('assignments carry the files of the node\'s own tasks, on the full set and on changes', async () => {
  const store = memoryStore();
  await store.commit([
    { op: 'create', kind: 'task', value: task('mine', withFiles, { nodeId: 'n1', fileVersions: pins }) },
    { op: 'create', kind: 'task', value: task('theirs', { image: 'x', secrets: [{ source: 'other' }] }, { nodeId: 'n2', fileVersions: { 'secret/other': 1 } }) },
  ], { actor: 't' });
  const dispatcher = new Dispatcher({ store, logger: createLogger('test', 'silent'), files: content, heartbeatPeriodMs: 60000 });
  const server: HttpServer = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await dispatcher.start(server as unknown as Server, () => ({ nodeId: 'n1', role: 'worker', serial: '01', notAfter: '' }));
  const { port } = server.address() as AddressInfo;
  const { messages, ws } = await session(`ws://127.0.0.1:${port}/v1/agent/session`);
  try {
    const full = await until(() => messages.find((m) => m.type === 'assignments' && m.full));
    assert.ok(full.type === 'assignments');
    assert.deepEqual(full.tasks.map((t) => t.id), ['mine']);
    assert.deepEqual(full.files?.map((f) => f.data).sort(), ['default:config:site:1', 'default:secret:db:2']);

    // A new task on this node brings its files; one on another node sends this node nothing.
    await store.commit([
      { op: 'create', kind: 'task', value: task('new', { image: 'x', secrets: [{ source: 'db' }] }, { nodeId: 'n1', fileVersions: { 'secret/db': 3 } }) },
      { op: 'create', kind: 'task', value: task('elsewhere', { image: 'x', secrets: [{ source: 'other' }] }, { nodeId: 'n2', fileVersions: { 'secret/other': 2 } }) },
    ], { actor: 't' });
    const incremental = await until(() => messages.find((m) => m.type === 'assignments' && !m.full));
    assert.ok(incremental.type === 'assignments');
    assert.deepEqual(incremental.tasks.map((t) => t.id), ['new']);
    assert.deepEqual(incremental.files?.map((f) => f.data), ['default:secret:db:3']);
    assert.ok(!JSON.stringify(messages).includes('other'), 'another node\'s files never reach this one');
  } finally {
    ws.close();
    await dispatcher.stop();
    server.close();
  }
});

test('assignments carry the allowed host paths of the node\'s environment as they are when sent', async () => {
  const store = memoryStore();
  const env: EnvironmentObject = { id: 'default', env: '', version: 0, name: 'default', members: {}, createdBy: 't', createdAt: '', updatedAt: '', allowedHostPaths: ['/srv/data'] };
  await store.commit([{ op: 'create', kind: 'environment', value: env }, { op: 'create', kind: 'task', value: task('mine', { image: 'x' }, { nodeId: 'n1' }) }], { actor: 't' });
  const dispatcher = new Dispatcher({ store, logger: createLogger('test', 'silent'), heartbeatPeriodMs: 60000 });
  const server: HttpServer = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await dispatcher.start(server as unknown as Server, () => ({ nodeId: 'n1', role: 'worker', serial: '01', notAfter: '' }));
  const { port } = server.address() as AddressInfo;
  const { messages, ws } = await session(`ws://127.0.0.1:${port}/v1/agent/session`);
  try {
    const full = await until(() => messages.find((m) => m.type === 'assignments' && m.full));
    assert.ok(full.type === 'assignments');
    assert.deepEqual(full.hostPaths, ['/srv/data']);
    // The list changes, then a task comes: it comes with the list as it is now.
    const stored = await store.get<EnvironmentObject>('environment', 'default');
    assert.ok(stored);
    const changed: EnvironmentObject = { ...stored, allowedHostPaths: ['/opt', '/srv/data'] };
    await store.commit([{ op: 'put', kind: 'environment', value: changed, expectVersion: stored.version }], { actor: 't' });
    await store.commit([{ op: 'create', kind: 'task', value: task('new', { image: 'x' }, { nodeId: 'n1' }) }], { actor: 't' });
    const incremental = await until(() => messages.find((m) => m.type === 'assignments' && !m.full));
    assert.ok(incremental.type === 'assignments');
    assert.deepEqual(incremental.hostPaths, ['/opt', '/srv/data']);
  } finally {
    ws.close();
    await dispatcher.stop();
    server.close();
  }
});
