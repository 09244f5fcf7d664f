import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { reapTasks } from './reaper.js';

void describe('reaper', () => {
  void test('keeps the newest taskHistoryLimit ended tasks per slot besides the current one', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 2, taskHistoryLimit: 2 });
    const old = [0, 1, 2, 3].map((i) => makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed', desiredState: 'shutdown', at: T0 + i }));
    const current = makeTask(svc, { slot: 1, nodeId: 'n1', at: T0 + 10 });
    const otherSlot = makeTask(svc, { slot: 2, nodeId: 'n1', state: 'failed', desiredState: 'shutdown' });
    const stopping = makeTask(svc, { slot: 1, nodeId: 'n1', desiredState: 'shutdown', at: T0 - 5 });
    const plan = reapTasks(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [...old, current, otherSlot, stopping] }));
    assert.deepEqual(plan.deleteTasks.map((t) => t.id).sort(), [old[0]?.id, old[1]?.id].sort());
  });

  void test('a dead task still desired running is the current one, not history', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1, taskHistoryLimit: 0 });
    const deadCurrent = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed' });
    assert.equal(reapTasks(makeView({ services: [svc], tasks: [deadCurrent] })).deleteTasks.length, 0);
  });

  void test('global history is per node; gone nodes and removed slots keep none', () => {
    const g = makeService('g', { image: 'x', mode: 'global', taskHistoryLimit: 1 });
    const r = makeService('r', { image: 'x', replicas: 1 });
    const tasks = [
      makeTask(g, { nodeId: 'n1', state: 'shutdown', desiredState: 'shutdown', at: T0 }),
      makeTask(g, { nodeId: 'n1', state: 'shutdown', desiredState: 'shutdown', at: T0 + 1 }),
      makeTask(g, { nodeId: 'n2', state: 'shutdown', desiredState: 'shutdown', at: T0 }),
      makeTask(g, { nodeId: 'gone', state: 'orphaned', desiredState: 'shutdown' }),
      makeTask(r, { slot: 2, nodeId: 'n1', state: 'shutdown', desiredState: 'shutdown' }),
    ];
    const plan = reapTasks(makeView({ services: [g, r], nodes: [makeNode('n1'), makeNode('n2')], tasks }));
    assert.deepEqual(plan.deleteTasks.map((t) => t.id).sort(), [tasks[0]?.id, tasks[3]?.id, tasks[4]?.id].sort());
  });

  void test('ended tasks of removed services and ended tasks marked remove are deleted', () => {
    const svc = makeService('web', { image: 'nginx', replicas: 1 });
    const ghost = makeService('ghost', { image: 'x' });
    const removed = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'shutdown', desiredState: 'remove' });
    const orphan = makeTask(ghost, { slot: 1, nodeId: 'n1', state: 'complete', desiredState: 'remove' });
    const stillUp = makeTask(ghost, { slot: 1, nodeId: 'n1', desiredState: 'remove' });
    const plan = reapTasks(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [removed, orphan, stillUp] }));
    assert.deepEqual(plan.deleteTasks.map((t) => t.id).sort(), [removed.id, orphan.id].sort());
  });
});
