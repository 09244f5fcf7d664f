import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { T0, makeNode, makeService, makeTask, makeView, managerStep } from '../orchestrator/fixtures.test-util.js';
import { reconcile } from '../orchestrator/reconcile.js';
import { schedule } from './schedule.js';

const node = (id: string, env: string, over: Parameters<typeof makeNode>[1] = {}): NodeObject => makeNode(id, { env, ...over });
const service = (name: string, env: string, spec: ServiceSpecInput): ServiceObject => makeService(`${env}-${name}`, spec, { env, name });
const pending = (svc: ServiceObject, n: number): TaskObject[] =>
  Array.from({ length: n }, (_, i) => makeTask(svc, { env: svc.env, slot: i + 1, state: 'pending', at: T0 + i }));

/** Nodes of two environments; `default` has more and bigger nodes, so it would win every score. */
const cluster = (): NodeObject[] => [
  node('d1', 'default', { resources: { nanoCpus: 64e9, memoryBytes: 256 * 2 ** 30 }, labels: { zone: 'a' } }),
  node('d2', 'default', { resources: { nanoCpus: 64e9, memoryBytes: 256 * 2 ** 30 }, labels: { zone: 'b' } }),
  node('p1', 'prod', { labels: { zone: 'a' } }),
];

void describe('scheduler: environments never share nodes', () => {
  void test('a task goes only to nodes of its own environment', () => {
    const prod = service('web', 'prod', { image: 'x', replicas: 4, placement: { preferences: [{ spread: 'node.labels.zone' }] } });
    const dflt = service('web', 'default', { image: 'x', replicas: 4 });
    const plan = schedule(makeView({ services: [prod, dflt], nodes: cluster(), tasks: [...pending(prod, 4), ...pending(dflt, 4)] }));
    const placed = (svc: ServiceObject) => plan.updateTasks.filter((t) => t.serviceId === svc.id).map((t) => [t.status.state, t.nodeId]);
    assert.deepEqual(placed(prod), Array.from({ length: 4 }, () => ['assigned', 'p1']));
    assert.deepEqual(new Set(placed(dflt).map(([, n]) => n)), new Set(['d1', 'd2']));
  });

  void test('an environment without nodes: the reason names it, and other environments still place', () => {
    const staging = service('api', 'staging', { image: 'x', replicas: 2 });
    const dflt = service('api', 'default', { image: 'x' });
    const plan = schedule(makeView({ services: [staging, dflt], nodes: cluster(), tasks: [...pending(staging, 2), ...pending(dflt, 1)] }));
    const staged = plan.updateTasks.filter((t) => t.env === 'staging');
    assert.deepEqual(staged.map((t) => [t.status.state, t.nodeId, t.status.pendingReason]), [
      ['pending', undefined, 'no suitable node (no node in environment "staging")'],
      ['pending', undefined, 'no suitable node (no node in environment "staging")'],
    ]);
    assert.equal(plan.updateTasks.find((t) => t.env === 'default')?.status.state, 'assigned');
  });

  void test('a constraint only another environment\'s node satisfies keeps the task pending; reasons count only its own nodes', () => {
    const prod = service('db', 'prod', { image: 'x', placement: { constraints: ['node.hostname==d1'] } });
    const plan = schedule(makeView({ services: [prod], nodes: cluster(), tasks: pending(prod, 1) }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.status.state, t.status.pendingReason]), [['pending', 'no suitable node (no node satisfies constraint node.hostname==d1)']]);

    const nodes = [...cluster().filter((n) => n.env === 'default'), node('p1', 'prod', { state: 'down' })];
    const down = schedule(makeView({ services: [prod], nodes, tasks: pending(service('web', 'prod', { image: 'x' }), 1) }));
    assert.equal(down.updateTasks[0]?.status.pendingReason, 'no suitable node (1 node is not ready)', 'the two ready default nodes are not mentioned');
  });

  void test('a global service runs on every node of its environment and nowhere else', () => {
    const prod = service('agent', 'prod', { image: 'x', mode: 'global' });
    const nodes = [...cluster(), node('p2', 'prod')];
    let view = makeView({ services: [prod], nodes });
    for (let i = 0; i < 3; i++) view = managerStep(view).view;
    const live = view.tasks.filter((t) => t.desiredState === 'running');
    assert.deepEqual(live.map((t) => [t.nodeId, t.status.state, t.env]).sort(), [['p1', 'assigned', 'prod'], ['p2', 'assigned', 'prod']]);
  });

  void test('a global task on another environment\'s node is shut down, and never placed there', () => {
    const prod = service('agent', 'prod', { image: 'x', mode: 'global' });
    const stray = makeTask(prod, { env: 'prod', nodeId: 'd1', state: 'running' });
    const plan = reconcile(makeView({ services: [prod], nodes: cluster(), tasks: [stray, makeTask(prod, { env: 'prod', nodeId: 'p1' })] }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.nodeId, t.desiredState]), [['d1', 'shutdown']]);
    assert.deepEqual(plan.createTasks, []);

    const preset = makeTask(prod, { env: 'prod', nodeId: 'd1', state: 'pending' });
    const scheduled = schedule(makeView({ services: [prod], nodes: cluster(), tasks: [preset] }));
    assert.deepEqual(scheduled.updateTasks.map((t) => [t.status.state, t.status.pendingReason]), [['pending', 'no suitable node (node d1 is not in environment "prod")']]);
  });
});
