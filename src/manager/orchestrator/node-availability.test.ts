import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { schedule } from '../scheduler/schedule.js';
import { applyPlan } from './apply-plan.js';
import { makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';

void describe('node availability', () => {
  void test('drain: tasks are shut down and replaced in the same slot', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2 });
    const nodes = [makeNode('n1', { availability: 'drain' }), makeNode('n2')];
    const t1 = makeTask(svc, { slot: 1, nodeId: 'n1' });
    const t2 = makeTask(svc, { slot: 2, nodeId: 'n2' });
    const plan = reconcile(makeView({ services: [svc], nodes, tasks: [t1, t2] }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.id, t.desiredState, t.status.state]), [[t1.id, 'shutdown', 'running']]);
    assert.deepEqual(plan.createTasks.map((t) => [t.slot, t.status.state]), [[1, 'pending']]);
  });

  void test('with the only node drained, replacements stay pending with a reason', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2 });
    const nodes = [makeNode('n1', { availability: 'drain' })];
    const tasks = [1, 2].map((slot) => makeTask(svc, { slot, nodeId: 'n1' }));
    let view = makeView({ services: [svc], nodes, tasks });
    view = applyPlan(view, reconcile(view));
    const plan = schedule(view);
    assert.equal(plan.updateTasks.length, 2);
    for (const t of plan.updateTasks) {
      assert.equal(t.status.state, 'pending');
      assert.equal(t.status.pendingReason, 'no suitable node (1 node not available for new tasks)');
    }
    // Nothing changed: no further writes.
    const again = schedule(applyPlan(view, plan));
    assert.equal(again.updateTasks.length, 0);
  });

  void test('down node: tasks are orphaned and replaced elsewhere', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1 });
    const nodes = [makeNode('n1', { state: 'down' }), makeNode('n2')];
    const t1 = makeTask(svc, { slot: 1, nodeId: 'n1' });
    const view = makeView({ services: [svc], nodes, tasks: [t1] });
    const plan = reconcile(view);
    const old = plan.updateTasks.find((t) => t.id === t1.id);
    assert.equal(old?.status.state, 'orphaned');
    assert.equal(old?.status.message, 'node down');
    assert.equal(old?.desiredState, 'shutdown');
    assert.equal(plan.createTasks.length, 1, 'no restart delay: the node went away, the task did not fail');
    const placed = schedule(applyPlan(view, plan));
    assert.equal(placed.updateTasks[0]?.nodeId, 'n2');
  });

  void test('a task on a node removed from the cluster is treated as on a down node', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1 });
    const t1 = makeTask(svc, { slot: 1, nodeId: 'gone' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n2')], tasks: [t1] }));
    assert.equal(plan.updateTasks.find((t) => t.id === t1.id)?.status.state, 'orphaned');
    assert.equal(plan.createTasks.length, 1);
  });

  void test('pause keeps tasks where they are', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1 });
    const t1 = makeTask(svc, { slot: 1, nodeId: 'n1' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1', { availability: 'pause' })], tasks: [t1] }));
    assert.deepEqual(plan, { createTasks: [], updateTasks: [], deleteTasks: [], updateServices: [] });
  });
});
