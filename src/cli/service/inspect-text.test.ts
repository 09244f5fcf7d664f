import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeObject, TaskObject } from '../../api/objects.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import type { ServiceView } from '../../client/types.js';
import { addressText, serviceInspectText } from './inspect-text.js';

const now = Date.parse('2026-12-01T12:00:10Z');
const at = '2026-12-01T12:00:00.000Z';
const spec = serviceSpecSchema.parse({ image: 'shoal-test/busybox:1', replicas: 3 });
const service: ServiceView = { id: 's1', env: 'default', version: 4, createdAt: at, updatedAt: at, name: 'web', spec, specVersion: 2, replicas: { running: 2, desired: 3 } };
const node = { id: 'n1', hostname: 'host-a' } as NodeObject;

const task = (id: string, slot: number, fields: Partial<TaskObject>, status: Partial<TaskObject['status']>): TaskObject => ({
  id,
  env: 'default',
  version: 1,
  createdAt: at,
  updatedAt: at,
  serviceId: 's1',
  serviceName: 'web',
  slot,
  nodeId: 'n1',
  specVersion: 2,
  spec,
  desiredState: 'running',
  ...fields,
  status: { state: 'running', message: '', timestamp: at, ...status },
});

test('inspect text lists the current tasks with node and addresses', () => {
  const text = serviceInspectText(
    service,
    [
      task('t10', 10, {}, { addresses: [{ network: 'bridge', ip: '172.17.0.3' }, { network: 'web_default', ip: '10.0.1.4' }], health: 'healthy' }),
      task('t2', 2, { nodeId: 'n2-unknown-node-id' }, { addresses: [{ network: 'bridge', ip: '172.17.0.9' }] }),
      task('t3', 3, { nodeId: undefined }, { state: 'pending', pendingReason: 'no suitable node' }),
      task('t1-old', 1, { desiredState: 'shutdown' }, { state: 'failed', addresses: [{ network: 'bridge', ip: '172.17.0.2' }] }),
      task('other', 1, { serviceId: 's2', serviceName: 'db' }, { addresses: [{ network: 'bridge', ip: '172.17.0.7' }] }),
    ],
    new Map([['n1', node]]),
    now,
  );
  const lines = text.split('\n');
  assert.equal(lines[0], 'Name:         web');
  assert.match(text, /^Mode: {9}replicated \(2\/3 running\)$/m);
  const tasks = lines.slice(lines.indexOf('Tasks:') + 1).filter((l) => l !== '');
  assert.deepEqual(tasks.map((l) => l.trim().split(/\s{3,}/)), [
    ['TASK', 'NODE', 'STATE', 'ADDRESSES'],
    ['web.2', 'n2-unknown-n', 'Running 10 seconds ago', 'bridge=172.17.0.9'],
    ['web.3', '', 'Pending 10 seconds ago', '-'].filter((c) => c !== ''),
    ['web.10', 'host-a', 'Running (healthy) 10 seconds ago', 'bridge=172.17.0.3, web_default=10.0.1.4'],
  ]);
  assert.ok(tasks.every((l) => l.startsWith('  ')), 'the section is indented');
  assert.doesNotMatch(text, /172\.17\.0\.2|172\.17\.0\.7/, 'ended tasks and other services are left out');
});

test('inspect text says when there are no tasks', () => {
  assert.match(serviceInspectText({ ...service, replicas: { running: 0, desired: 0 } }, [], new Map(), now), /\nTasks:\n {2}none\n$/);
});

test('a service the manager refuses to act on says why', () => {
  const refused: ServiceView = { ...service, refused: { reason: 'spec.replicas: 1000000000 is not a whole number from 0 to 10000 (a hard limit)', since: at } };
  assert.match(serviceInspectText(refused, [], new Map(), now), /\nRefused: +spec\.replicas: 1000000000 is not a whole number .*\(since 2026-12-01T12:00:00\.000Z; no task is changed until update or scale brings it within the limits\)\n/);
  assert.doesNotMatch(serviceInspectText(service, [], new Map(), now), /Refused/);
});

test('an address shows only while the task runs', () => {
  const addresses = [{ network: 'bridge', ip: '172.17.0.3' }];
  assert.equal(addressText(task('a', 1, {}, { addresses })), 'bridge=172.17.0.3');
  assert.equal(addressText(task('a', 1, {}, { addresses: [{ network: 'shoal-abc', ip: '10.240.0.66' }] }), new Map([['shoal-abc', 'default']])), 'default=10.240.0.66', 'Shoal networks by their own names');
  assert.equal(addressText(task('b', 1, {}, { state: 'complete', addresses })), '-');
  assert.equal(addressText(task('c', 1, {}, {})), '-');
});
