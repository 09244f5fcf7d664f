import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import { createLogger } from '../../lib/logger.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { StatusWriter } from './status-writer.js';

const at = (s: number): string => new Date(Date.UTC(2026, 11, 1, 12, 0, s)).toISOString();
const bridge = [{ network: 'bridge', ip: '172.17.0.3' }];

async function setup(): Promise<{ store: SqliteStore; writer: StatusWriter; send: (status: Partial<TaskStatusUpdate['status']>, node?: string) => Promise<TaskObject> }> {
  const store = new SqliteStore(':memory:');
  const task: Omit<TaskObject, 'version'> & { version: number } = {
    id: 't1',
    env: 'default',
    version: 0,
    createdAt: at(0),
    updatedAt: at(0),
    serviceId: 's1',
    serviceName: 'web',
    slot: 1,
    nodeId: 'n1',
    specVersion: 1,
    spec: serviceSpecSchema.parse({ image: 'shoal-test/busybox:1' }),
    desiredState: 'running',
    status: { state: 'starting', message: 'starting', timestamp: at(0) },
  };
  await store.commit([{ op: 'create', kind: 'task', value: task }], { actor: 'test' });
  const writer = new StatusWriter(store, createLogger('test', 'silent'), 1);
  let clock = 0;
  return {
    store,
    writer,
    send: async (status, node = 'n1') => {
      writer.enqueue(node, [{ taskId: 't1', status: { state: 'running', message: 'started', timestamp: at(++clock), ...status } }]);
      await writer.flush();
      const stored = await store.get<TaskObject>('task', 't1');
      assert.ok(stored);
      return stored;
    },
  };
}

test('addresses reported with running are stored', async () => {
  const { store, writer, send } = await setup();
  const t = await send({ addresses: bridge });
  assert.deepEqual(t.status.addresses, bridge);
  assert.equal(t.status.runningSince, at(1));
  await writer.stop();
  await store.close();
});

test('addresses arriving after running update the task in place; the same ones write nothing', async () => {
  const { store, writer, send } = await setup();
  const first = await send({});
  assert.equal(first.status.addresses, undefined);
  const later = await send({ addresses: bridge });
  assert.deepEqual(later.status.addresses, bridge);
  assert.equal(later.status.runningSince, at(1), 'still running since the first report');
  assert.equal(later.status.state, 'running');
  const again = await send({ addresses: [{ network: 'bridge', ip: '172.17.0.3' }] });
  assert.equal(again.version, later.version, 'no write for unchanged addresses');
  const other = await send({ addresses: [{ network: 'bridge', ip: '172.17.0.9' }] }, 'n2');
  assert.deepEqual(other.status.addresses, bridge, 'another node cannot speak for the task');
  await writer.stop();
  await store.close();
});

test('a task that leaves running drops its addresses', async () => {
  const { store, writer, send } = await setup();
  await send({ addresses: bridge, health: 'healthy' });
  const ended = await send({ state: 'failed', error: 'task: non-zero exit (1)', exitCode: 1 });
  assert.equal(ended.status.state, 'failed');
  assert.equal(ended.status.addresses, undefined);
  await writer.stop();
  await store.close();
});
