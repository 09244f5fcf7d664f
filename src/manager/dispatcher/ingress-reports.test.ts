import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeObject } from '../../api/objects.js';
import { createLogger } from '../../lib/logger.js';
import { makeNode } from '../orchestrator/fixtures.test-util.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { IngressReports } from './ingress-reports.js';

async function setup(ingress = true): Promise<{ store: SqliteStore; reports: IngressReports; node: () => Promise<NodeObject | undefined> }> {
  const store = new SqliteStore(':memory:');
  const node = makeNode('n1');
  const value = ingress ? { ...node, version: 0, status: { ...node.status, ingress: { ports: [], errors: [] } } } : { ...node, version: 0 };
  await store.commit([{ op: 'create', kind: 'node', value }], { actor: 'test' });
  let clock = Date.UTC(2026, 11, 1, 12, 0, 0);
  const reports = new IngressReports(store, createLogger('test', 'silent'), () => (clock += 1000));
  return { store, reports, node: () => store.get<NodeObject>('node', 'n1') };
}

test('the newest report is kept in the node status, sorted; an unchanged one writes nothing', async () => {
  const { store, reports, node } = await setup();
  reports.record('n1', { ports: [{ protocol: 'udp', port: 53, backends: [] }, { protocol: 'tcp', port: 8080, backends: ['10.0.0.3', '10.0.0.2'] }], errors: [] });
  await reports.settled();
  const first = await node();
  assert.deepEqual(first?.status.ingress, {
    ports: [{ protocol: 'udp', port: 53, backends: [] }, { protocol: 'tcp', port: 8080, backends: ['10.0.0.2', '10.0.0.3'] }],
    errors: [],
    reportedAt: '2026-12-01T12:00:01.000Z',
  });
  const revision = await store.revision();
  reports.record('n1', { ports: [{ protocol: 'tcp', port: 8080, backends: ['10.0.0.3', '10.0.0.2'] }, { protocol: 'udp', port: 53, backends: [] }], errors: [] });
  await reports.settled();
  assert.equal(await store.revision(), revision, 'the same report in another order is no change');
  assert.equal(first?.status.state, 'ready');
});

test('reports that arrive while one is written collapse into the last', async () => {
  const { reports, node } = await setup();
  for (let i = 1; i <= 20; i++) reports.record('n1', { ports: [{ protocol: 'tcp', port: 8080, backends: [`10.0.0.${i}`] }], errors: [] });
  await reports.settled();
  assert.deepEqual((await node())?.status.ingress?.ports, [{ protocol: 'tcp', port: 8080, backends: ['10.0.0.20'] }]);
});

test('a node whose agent runs no ingress, or a removed one, gets nothing written', async () => {
  const { reports, node } = await setup(false);
  reports.record('n1', { ports: [{ protocol: 'tcp', port: 8080, backends: [] }], errors: [] });
  reports.record('gone', { ports: [], errors: [] });
  await reports.settled();
  assert.equal((await node())?.status.ingress, undefined);
});

test('a node changed meanwhile is read again, and what changed is kept', async () => {
  const { store, reports, node } = await setup();
  const before = await node();
  assert.ok(before);
  // Someone drains the node between the writer's read and its commit: the commit conflicts once.
  const realGet = store.get.bind(store);
  let drained = false;
  const drainedNode: NodeObject = { ...before, availability: 'drain' };
  store.get = (async (...args: Parameters<typeof store.get>) => {
    const got = await realGet(...args);
    if (!drained && args[0] === 'node') {
      drained = true;
      await store.commit([{ op: 'put', kind: 'node', value: drainedNode }], { actor: 'test' });
    }
    return got;
  }) as typeof store.get;
  reports.record('n1', { ports: [{ protocol: 'tcp', port: 8080, backends: ['10.0.0.2'] }], errors: [] });
  await reports.settled();
  const after = await node();
  assert.equal(after?.availability, 'drain');
  assert.deepEqual(after?.status.ingress?.ports, [{ protocol: 'tcp', port: 8080, backends: ['10.0.0.2'] }]);
});
