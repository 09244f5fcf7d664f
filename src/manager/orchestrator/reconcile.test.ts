import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan } from './apply-plan.js';
import { makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { PlanBuilder } from './plan-builder.js';
import { reconcile } from './reconcile.js';

void describe('plan builder', () => {
  const svc = makeService('web', { image: 'nginx' });

  void test('a task created then changed stays one creation with the last content', () => {
    const b = new PlanBuilder();
    const t = makeTask(svc, { slot: 1, state: 'pending' });
    b.create(t);
    b.update({ ...t, desiredState: 'shutdown' });
    const plan = b.build();
    assert.equal(plan.updateTasks.length, 0);
    assert.deepEqual(plan.createTasks.map((x) => x.desiredState), ['shutdown']);
  });

  void test('a task changed twice appears once; created then deleted vanishes; updated then deleted is a delete', () => {
    const b = new PlanBuilder();
    const a = makeTask(svc, { slot: 1 });
    const c = makeTask(svc, { slot: 2 });
    const d = makeTask(svc, { slot: 3 });
    b.update({ ...a, desiredState: 'shutdown' });
    b.update({ ...a, desiredState: 'remove' });
    b.create(c);
    b.delete(c);
    b.update(d);
    b.delete(d);
    b.wake(5);
    b.wake(3);
    const plan = b.build();
    assert.deepEqual(plan.updateTasks.map((x) => [x.id, x.desiredState]), [[a.id, 'remove']]);
    assert.equal(plan.createTasks.length, 0);
    assert.deepEqual(plan.deleteTasks.map((x) => x.id), [d.id]);
    assert.equal(plan.wakeAt, 3);
  });

  void test('applyPlan replaces, removes and adds without touching its input', () => {
    const a = makeTask(svc, { slot: 1 });
    const b = makeTask(svc, { slot: 2 });
    const view = makeView({ services: [svc], tasks: [a, b] });
    const c = makeTask(svc, { slot: 3 });
    const next = applyPlan(view, {
      createTasks: [c],
      updateTasks: [{ ...a, desiredState: 'shutdown' }],
      deleteTasks: [b],
      updateServices: [{ ...svc, specVersion: 9 }],
    });
    assert.deepEqual(next.tasks.map((t) => [t.id, t.desiredState]), [
      [a.id, 'shutdown'],
      [c.id, 'running'],
    ]);
    assert.equal(next.services[0]?.specVersion, 9);
    assert.equal(view.tasks.length, 2);
    assert.equal(view.services[0]?.specVersion, 1);
  });
});

void describe('reconcile', () => {
  void test('is idempotent once converged', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2 });
    const tasks = [1, 2].map((slot) => makeTask(svc, { slot, nodeId: 'n1' }));
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks }));
    assert.deepEqual(plan, { createTasks: [], updateTasks: [], deleteTasks: [], updateServices: [] });
  });

  void test('each task appears once across steps: orphaned on a down node, then reaped beyond history', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1, taskHistoryLimit: 0 });
    const t = makeTask(svc, { slot: 1, nodeId: 'n1' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1', { state: 'down' })], tasks: [t] }));
    // node-availability orphans it, the reaper deletes it (no history kept): only the delete remains.
    assert.deepEqual(plan.deleteTasks.map((x) => x.id), [t.id]);
    assert.equal(plan.updateTasks.length, 0);
    assert.equal(plan.createTasks.length, 1);
    const ids = [...plan.createTasks, ...plan.updateTasks, ...plan.deleteTasks].map((x) => x.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  void test('does not mutate the view it is given', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2 });
    const t = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed' });
    const view = makeView({ services: [svc], nodes: [makeNode('n1', { availability: 'drain' })], tasks: [t] });
    const before = JSON.stringify(view);
    reconcile(view);
    assert.equal(JSON.stringify(view), before);
  });
});
