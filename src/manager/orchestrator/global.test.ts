import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makeService, makeTask, makeView } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';

void describe('global', () => {
  const svc = makeService('agent', { image: 'agent', mode: 'global' });

  void test('one task per ready active node, with the node preset and state pending', () => {
    const nodes = [makeNode('n1'), makeNode('n2'), makeNode('n3', { state: 'disconnected' }), makeNode('n4', { availability: 'pause' })];
    const plan = reconcile(makeView({ services: [svc], nodes, tasks: [makeTask(svc, { nodeId: 'n1' })] }));
    assert.deepEqual(plan.createTasks.map((t) => [t.nodeId, t.status.state, t.slot]), [['n2', 'pending', undefined]]);
  });

  void test('a node joining gets a task', () => {
    const tasks = [makeTask(svc, { nodeId: 'n1' })];
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1'), makeNode('new')], tasks }));
    assert.deepEqual(plan.createTasks.map((t) => t.nodeId), ['new']);
  });

  void test('drain shuts the task down without replacement; pause keeps it', () => {
    const tasks = [makeTask(svc, { nodeId: 'n1' }), makeTask(svc, { nodeId: 'n2' })];
    const nodes = [makeNode('n1', { availability: 'drain' }), makeNode('n2', { availability: 'pause' })];
    const plan = reconcile(makeView({ services: [svc], nodes, tasks }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.nodeId, t.desiredState]), [['n1', 'shutdown']]);
    assert.equal(plan.createTasks.length, 0);
  });

  void test('constraints pick the nodes, platform included', () => {
    const constrained = makeService('gpu', {
      image: 'x',
      mode: 'global',
      placement: { constraints: ['node.labels.gpu==yes', 'node.platform.arch!=arm64'] },
    });
    const nodes = [
      makeNode('a', { labels: { gpu: 'yes' } }),
      makeNode('b', { labels: { gpu: 'no' } }),
      makeNode('c', { labels: { gpu: 'yes' }, engine: { version: '1', os: 'linux', arch: 'arm64' } }),
    ];
    const wrong = makeTask(constrained, { nodeId: 'b' });
    const plan = reconcile(makeView({ services: [constrained], nodes, tasks: [wrong] }));
    assert.deepEqual(plan.createTasks.map((t) => t.nodeId), ['a']);
    assert.deepEqual(plan.updateTasks.map((t) => [t.id, t.desiredState]), [[wrong.id, 'shutdown']]);
  });

  void test('down node: task orphaned, none created until the node is ready again', () => {
    const t = makeTask(svc, { nodeId: 'n1' });
    const plan = reconcile(makeView({ services: [svc], nodes: [makeNode('n1', { state: 'down' })], tasks: [t] }));
    assert.deepEqual(plan.updateTasks.map((x) => [x.status.state, x.desiredState]), [['orphaned', 'shutdown']]);
    assert.equal(plan.createTasks.length, 0);
    const back = reconcile(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: plan.updateTasks }));
    assert.deepEqual(back.createTasks.map((x) => x.nodeId), ['n1']);
  });
});
