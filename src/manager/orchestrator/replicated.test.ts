import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';
import { reconcileReplicated } from './replicated.js';

void describe('replicated', () => {
  void test('creates one pending task per empty slot, from the current spec', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 3, env: { A: '1' } }, { specVersion: 4 });
    const view = makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [makeTask(svc, { slot: 2, nodeId: 'n1' })] });
    const plan = reconcileReplicated(view);
    assert.deepEqual(plan.createTasks.map((t) => t.slot).sort(), [1, 3]);
    const t = plan.createTasks[0];
    assert.ok(t);
    assert.equal(t.status.state, 'pending');
    assert.equal(t.desiredState, 'running');
    assert.equal(t.specVersion, 4);
    assert.equal(t.serviceName, 'web');
    assert.equal(t.nodeId, undefined);
    assert.equal(t.version, 0);
    assert.equal(t.createdAt, new Date(T0).toISOString());
    assert.deepEqual(t.spec, svc.spec);
    assert.notEqual(t.spec, svc.spec, 'the spec is copied');
    assert.equal(plan.updateTasks.length, 0);
  });

  void test('scale down shuts down the highest slots', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2 });
    const tasks = [1, 2, 3, 4].map((slot) => makeTask(svc, { slot, nodeId: 'n1' }));
    const plan = reconcileReplicated(makeView({ services: [svc], tasks }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.slot, t.desiredState]).sort(), [
      [3, 'shutdown'],
      [4, 'shutdown'],
    ]);
    assert.equal(plan.createTasks.length, 0);
  });

  void test('a dead task that may not restart keeps its slot', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1, restartPolicy: { condition: 'none' } });
    const dead = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [dead] }));
    assert.equal(plan.createTasks.length, 0);
    assert.equal(plan.updateTasks.length, 0);
  });

  void test('scale to zero then up reuses slots from 1', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 0 });
    const plan = reconcileReplicated(makeView({ services: [{ ...svc, spec: { ...svc.spec, replicas: 2 } }] }));
    assert.deepEqual(plan.createTasks.map((t) => t.slot).sort(), [1, 2]);
  });

  void test('tasks of a deleted service are told to go away, dead ones deleted', () => {
    const svc = makeService('gone', { image: 'nginx' });
    const live = makeTask(svc, { slot: 1, nodeId: 'n1' });
    const dead = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed', desiredState: 'shutdown' });
    const plan = reconcile(makeView({ nodes: [makeNode('n1')], tasks: [live, dead] }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.id, t.desiredState]), [[live.id, 'remove']]);
    assert.deepEqual(plan.deleteTasks.map((t) => t.id), [dead.id]);
  });

  void test('a pending task of a deleted service is ended and deleted in the same pass', () => {
    const svc = makeService('gone', { image: 'nginx' });
    const pending = makeTask(svc, { slot: 1, state: 'pending' });
    const plan = reconcile(makeView({ tasks: [pending] }));
    assert.deepEqual(plan.deleteTasks.map((t) => t.id), [pending.id]);
    assert.equal(plan.updateTasks.length, 0, 'a deleted task is not also updated');
  });

  void test('an unassigned task of a slot scaled away is ended by the manager and reaped', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1 });
    const extra = makeTask(svc, { slot: 2, state: 'pending' });
    const plan = reconcile(makeView({ services: [svc], tasks: [makeTask(svc, { slot: 1, nodeId: 'n1' }), extra], nodes: [makeNode('n1')] }));
    // Never assigned, so no agent will report its end: the manager ends it, and a slot that no
    // longer exists keeps no history.
    assert.deepEqual(plan.deleteTasks.map((t) => t.id), [extra.id]);
    assert.equal(plan.updateTasks.length, 0);
  });
});
