import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { T0, makeNode, makeService, makeTask, makeView } from '../orchestrator/fixtures.test-util.js';
import { schedule } from './schedule.js';

const nodes = ['n1', 'n2', 'n3'].map((id) => makeNode(id));

const runningOn = (svc: ServiceObject, nodeId: string, slot: number, over: Partial<TaskObject> = {}): TaskObject =>
  makeTask(svc, { slot, nodeId, state: 'running', ...over });

function pending(svc: ServiceObject, n: number, from = 1): TaskObject[] {
  return Array.from({ length: n }, (_, i) => makeTask(svc, { slot: from + i, state: 'pending', at: T0 + 10 + i }));
}

function placeWeb(webSpec: Partial<ServiceSpecInput>, others: ServiceObject[], existing: TaskObject[], n = 1) {
  const web = makeService('web', { image: 'web', ...webSpec });
  const plan = schedule(makeView({ services: [web, ...others], nodes, tasks: [...existing, ...pending(web, n)] }));
  const mine = plan.updateTasks.filter((t) => t.serviceId === 'web');
  return {
    nodesUsed: mine.filter((t) => t.status.state === 'assigned').map((t) => t.nodeId),
    reasons: mine.filter((t) => t.status.state === 'pending').map((t) => t.status.pendingReason),
  };
}

void describe('co-location', () => {
  const db = makeService('db', { image: 'db', replicas: 2 });

  void test('only nodes that run a task of the named service', () => {
    const { nodesUsed } = placeWeb({ replicas: 4, placement: { colocateWith: ['db'] } }, [db], [runningOn(db, 'n2', 1), runningOn(db, 'n3', 2)], 4);
    assert.equal(nodesUsed.length, 4);
    assert.ok(nodesUsed.every((n) => n === 'n2' || n === 'n3'), `placed on ${nodesUsed.join(',')}`);
    // Spread still applies among the allowed nodes.
    assert.deepEqual([...nodesUsed].sort(), ['n2', 'n2', 'n3', 'n3']);
  });

  void test('an assigned task counts; one told to stop or ended does not', () => {
    assert.deepEqual(placeWeb({ placement: { colocateWith: ['db'] } }, [db], [makeTask(db, { slot: 1, nodeId: 'n3', state: 'assigned' })]).nodesUsed, ['n3']);
    const gone = [runningOn(db, 'n1', 1, { desiredState: 'shutdown' }), makeTask(db, { slot: 2, nodeId: 'n2', state: 'failed' })];
    assert.deepEqual(placeWeb({ placement: { colocateWith: ['db'] } }, [db], gone).reasons, ['waiting for a node running db']);
  });

  void test('every named service must be on the node', () => {
    const cache = makeService('cache', { image: 'cache' });
    const tasks = [runningOn(db, 'n1', 1), runningOn(db, 'n2', 2), runningOn(cache, 'n2', 1)];
    assert.deepEqual(placeWeb({ placement: { colocateWith: ['db', 'cache'] } }, [db, cache], tasks).nodesUsed, ['n2']);
  });

  void test('waits with a reason while the service runs nowhere, or does not exist', () => {
    assert.deepEqual(placeWeb({ replicas: 2, placement: { colocateWith: ['db'] } }, [db], [], 2).reasons, [
      'waiting for a node running db',
      'waiting for a node running db',
    ]);
    assert.deepEqual(placeWeb({ placement: { colocateWith: ['ghost'] } }, [], []).reasons, [
      'waiting for a node running ghost (no service named ghost)',
    ]);
  });

  void test('a node with the service but no room is explained by the filter that refused it', () => {
    const tasks = [runningOn(db, 'n1', 1)];
    const { reasons } = placeWeb({ placement: { colocateWith: ['db'] }, ports: [{ target: 80, published: 8080, mode: 'host' }] }, [db], [
      ...tasks,
      makeTask(makeService('other', { image: 'o', ports: [{ target: 80, published: 8080, mode: 'host' }] }), { slot: 1, nodeId: 'n1', state: 'running' }),
    ]);
    assert.deepEqual(reasons, ['no suitable node (2 nodes run no task of db; host port 8080/tcp in use on 1 node)']);
  });

  void test('a task of the other service placed earlier in the same pass counts', () => {
    const dbOne = makeService('db', { image: 'db' });
    const web = makeService('web', { image: 'web', placement: { colocateWith: ['db'] } });
    const tasks = [...pending(dbOne, 1), makeTask(web, { slot: 1, state: 'pending', at: T0 + 100 })];
    const plan = schedule(makeView({ services: [dbOne, web], nodes, tasks }));
    const dbNode = plan.updateTasks.find((t) => t.serviceId === 'db')?.nodeId;
    assert.ok(dbNode);
    assert.equal(plan.updateTasks.find((t) => t.serviceId === 'web')?.nodeId, dbNode);
  });

  void test('a global task judges only its own node', () => {
    const agentSvc = makeService('agent', { image: 'a', mode: 'global', placement: { colocateWith: ['db'] } });
    const t1 = makeTask(agentSvc, { nodeId: 'n1', state: 'pending' });
    const t2 = makeTask(agentSvc, { nodeId: 'n2', state: 'pending' });
    const plan = schedule(makeView({ services: [agentSvc, db], nodes, tasks: [runningOn(db, 'n1', 1), t1, t2] }));
    assert.equal(plan.updateTasks.find((t) => t.id === t1.id)?.status.state, 'assigned');
    assert.equal(plan.updateTasks.find((t) => t.id === t2.id)?.status.pendingReason, 'no suitable node (1 node runs no task of db)');
  });
});

void describe('anti-affinity (avoid)', () => {
  const db = makeService('db', { image: 'db', replicas: 2 });

  void test('never on a node with a task of the avoided service', () => {
    const { nodesUsed } = placeWeb({ replicas: 3, placement: { avoid: ['db'] } }, [db], [runningOn(db, 'n1', 1), runningOn(db, 'n2', 2)], 3);
    assert.deepEqual(nodesUsed, ['n3', 'n3', 'n3']);
  });

  void test('explains the refusal when no node is left', () => {
    const tasks = [runningOn(db, 'n1', 1), runningOn(db, 'n2', 2), runningOn(db, 'n3', 3)];
    assert.deepEqual(placeWeb({ placement: { avoid: ['db'] } }, [db], tasks).reasons, [
      'no suitable node (3 nodes run a task of db (anti-affinity))',
    ]);
  });

  void test('holds both ways: a service avoided by another keeps off its nodes too', () => {
    const cache = makeService('cache', { image: 'c', placement: { avoid: ['web'] } });
    const { nodesUsed } = placeWeb({ replicas: 2 }, [cache], [runningOn(cache, 'n1', 1), runningOn(cache, 'n3', 2)], 2);
    assert.deepEqual(nodesUsed, ['n2', 'n2']);
  });

  void test('placements of the same pass count', () => {
    const a = makeService('a', { image: 'a', replicas: 3, placement: { avoid: ['b'] } });
    const b = makeService('b', { image: 'b', replicas: 1 });
    const tasks = [...pending(b, 1), ...pending(a, 3).map((t) => ({ ...t, createdAt: new Date(T0 + 50).toISOString() }))];
    const plan = schedule(makeView({ services: [a, b], nodes, tasks }));
    const bNode = plan.updateTasks.find((t) => t.serviceId === 'b')?.nodeId;
    const aNodes = plan.updateTasks.filter((t) => t.serviceId === 'a' && t.status.state === 'assigned').map((t) => t.nodeId);
    assert.equal(aNodes.length, 3);
    assert.ok(bNode && !aNodes.includes(bNode), `a on ${aNodes.join(',')}, b on ${bNode}`);
  });

  void test('an unknown avoided service constrains nothing', () => {
    assert.equal(placeWeb({ replicas: 3, placement: { avoid: ['ghost'] } }, [], [], 3).nodesUsed.length, 3);
  });

  void test('co-location and avoid combine', () => {
    const cache = makeService('cache', { image: 'c' });
    const tasks = [runningOn(db, 'n1', 1), runningOn(db, 'n2', 2), runningOn(cache, 'n1', 1)];
    assert.deepEqual(placeWeb({ placement: { colocateWith: ['db'], avoid: ['cache'] } }, [db, cache], tasks).nodesUsed, ['n2']);
  });
});
