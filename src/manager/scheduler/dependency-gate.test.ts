import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { DependencySpec, ServiceSpecInput } from '../../api/service-spec.js';
import { T0, makeNode, makeService, makeTask, makeView, round } from '../orchestrator/fixtures.test-util.js';
import type { ClusterView } from '../orchestrator/view.js';
import { unmetDependency } from './dependency-gate.js';
import { schedule } from './schedule.js';

const check = { test: ['CMD-SHELL', 'true'], intervalMs: 1000 };
const dep = (condition: DependencySpec['condition'], service = 'db'): DependencySpec => ({ service, condition });

function db(spec: Partial<ServiceSpecInput> = {}): ServiceObject {
  return makeService('db', { image: 'db', ...spec });
}

const running = (svc: ServiceObject, slot: number, health?: TaskObject['status']['health']): TaskObject =>
  makeTask(svc, { slot, nodeId: 'n1', state: 'running', status: health ? { health } : {} });

void describe('dependency conditions', () => {
  void test('a missing service is waited for, by name', () => {
    assert.equal(unmetDependency(dep('started'), undefined, []), 'waiting for db, which does not exist');
  });

  void test('started: every desired replica must run', () => {
    const svc = db({ replicas: 2 });
    assert.equal(unmetDependency(dep('started'), svc, []), 'waiting for db to start');
    assert.equal(unmetDependency(dep('started'), svc, [running(svc, 1)]), 'waiting for db to start');
    assert.equal(unmetDependency(dep('started'), svc, [running(svc, 1), running(svc, 2)]), undefined);
    // A slot above the replica count (being scaled away) does not stand in for a missing one.
    assert.equal(unmetDependency(dep('started'), svc, [running(svc, 1), running(svc, 3)]), 'waiting for db to start');
  });

  void test('healthy: a health check must have reported healthy; without one, running is enough', () => {
    const checked = db({ healthcheck: check });
    assert.equal(unmetDependency(dep('healthy'), checked, [running(checked, 1)]), 'waiting for db to be healthy');
    assert.equal(unmetDependency(dep('healthy'), checked, [running(checked, 1, 'starting')]), 'waiting for db to be healthy');
    assert.equal(unmetDependency(dep('healthy'), checked, [running(checked, 1, 'unhealthy')]), 'waiting for db to be healthy');
    assert.equal(unmetDependency(dep('healthy'), checked, [running(checked, 1, 'healthy')]), undefined);
    const plain = db();
    assert.equal(unmetDependency(dep('healthy'), plain, [running(plain, 1)]), undefined);
    // The image's own health check, reported although the spec has none, is still respected.
    assert.equal(unmetDependency(dep('healthy'), plain, [running(plain, 1, 'starting')]), 'waiting for db to be healthy');
    const disabled = db({ healthcheck: { test: ['NONE'] } });
    assert.equal(unmetDependency(dep('healthy'), disabled, [running(disabled, 1)]), undefined);
  });

  void test('completed: exit 0 only; a failure is named', () => {
    const svc = db({ restartPolicy: { condition: 'none' } });
    assert.equal(unmetDependency(dep('completed'), svc, [running(svc, 1)]), 'waiting for db to complete successfully');
    const ok = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'complete', status: { exitCode: 0 } });
    assert.equal(unmetDependency(dep('completed'), svc, [ok]), undefined);
    const bad = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'failed', status: { exitCode: 3, error: 'exit code 3' } });
    assert.equal(
      unmetDependency(dep('completed'), svc, [bad]),
      `waiting for db to complete successfully (task db.1.${bad.id} failed: exit code 3)`,
    );
    // A one-shot that completed has also started.
    assert.equal(unmetDependency(dep('started'), svc, [ok]), undefined);
  });

  void test('a dependency scaled to zero is not waited for; a global one needs a task', () => {
    assert.equal(unmetDependency(dep('healthy'), db({ replicas: 0 }), []), undefined);
    const global = db({ mode: 'global' });
    assert.equal(unmetDependency(dep('started'), global, []), 'waiting for db to start');
    const a = makeTask(global, { nodeId: 'n1', state: 'running' });
    const b = makeTask(global, { nodeId: 'n2', state: 'assigned' });
    assert.equal(unmetDependency(dep('started'), global, [a, b]), 'waiting for db to start');
    assert.equal(unmetDependency(dep('started'), global, [a]), undefined);
  });
});

/** Sets the health the engine would report on running tasks of one service. */
function reportHealth(view: ClusterView, serviceId: string, health: 'starting' | 'healthy' | 'unhealthy'): ClusterView {
  return {
    ...view,
    tasks: view.tasks.map((t) =>
      t.serviceId === serviceId && t.status.state === 'running' && t.desiredState === 'running'
        ? { ...t, status: { ...t.status, health } }
        : t,
    ),
  };
}

const tasksOf = (view: ClusterView, id: string): TaskObject[] =>
  view.tasks.filter((t) => t.serviceId === id && t.desiredState === 'running');

void describe('depends_on ordering', () => {
  const nodes = [makeNode('n1'), makeNode('n2')];

  void test('web waiting for db to be healthy stays pending until db reports healthy, then is scheduled', () => {
    const dbSvc = db({ healthcheck: check });
    const web = makeService('web', { image: 'web', replicas: 2, dependsOn: [dep('healthy')] });
    let view = makeView({ services: [dbSvc, web], nodes });
    for (let i = 0; i < 3; i++) view = reportHealth(round(view), 'db', 'starting');
    assert.equal(tasksOf(view, 'db')[0]?.status.state, 'running');
    for (const t of tasksOf(view, 'web')) {
      assert.equal(t.status.state, 'pending');
      assert.equal(t.nodeId, undefined);
      assert.equal(t.status.pendingReason, 'waiting for db to be healthy');
    }
    view = reportHealth(view, 'db', 'healthy');
    view = round(view);
    assert.deepEqual(tasksOf(view, 'web').map((t) => t.status.state), ['running', 'running']);
    assert.ok(tasksOf(view, 'web').every((t) => t.status.pendingReason === undefined));
  });

  void test('a running dependent is left alone when its dependency turns unhealthy; its restart is not held back', () => {
    const dbSvc = db({ healthcheck: check });
    const web = makeService('web', { image: 'web', dependsOn: [dep('healthy')], restartPolicy: { delayMs: 0 } });
    let view = makeView({ services: [dbSvc, web], nodes });
    view = reportHealth(round(view), 'db', 'healthy');
    for (let i = 0; i < 2; i++) view = round(view);
    const first = tasksOf(view, 'web')[0];
    assert.equal(first?.status.state, 'running');
    view = reportHealth(view, 'db', 'starting');
    view = round(view);
    assert.equal(tasksOf(view, 'web')[0]?.id, first?.id, 'not stopped');
    // web crashes: the restart runs although db is not healthy now.
    view = round(view, 1000, { crash: (t) => t.serviceId === 'web' });
    view = reportHealth(round(round(view)), 'db', 'starting');
    const [next] = tasksOf(view, 'web');
    assert.equal(next?.restartOf !== undefined, true);
    assert.equal(next?.status.state, 'running');
  });

  void test('completed: the app waits for a one-shot migration to exit 0', () => {
    const migrate = makeService('migrate', { image: 'm', restartPolicy: { condition: 'none' } });
    const app = makeService('app', { image: 'a', dependsOn: [dep('completed', 'migrate')] });
    let view = makeView({ services: [migrate, app], nodes });
    view = round(round(view));
    assert.equal(tasksOf(view, 'migrate')[0]?.status.state, 'running');
    assert.equal(tasksOf(view, 'app')[0]?.status.pendingReason, 'waiting for migrate to complete successfully');
    view = {
      ...view,
      tasks: view.tasks.map((t) =>
        t.serviceId === 'migrate' ? { ...t, status: { ...t.status, state: 'complete' as const, exitCode: 0 } } : t,
      ),
    };
    view = round(round(view));
    assert.equal(tasksOf(view, 'migrate').length, 1, 'the completed one-shot is not replaced');
    assert.equal(tasksOf(view, 'migrate')[0]?.status.state, 'complete');
    assert.equal(tasksOf(view, 'app')[0]?.status.state, 'running');
  });

  void test('a cycle makes both sides wait, with reasons, and does not throw', () => {
    const a = makeService('a', { image: 'a', dependsOn: [dep('started', 'b')] });
    const b = makeService('b', { image: 'b', dependsOn: [dep('started', 'a')] });
    let view = makeView({ services: [a, b], nodes });
    for (let i = 0; i < 3; i++) view = round(view);
    assert.equal(tasksOf(view, 'a')[0]?.status.pendingReason, 'waiting for b to start');
    assert.equal(tasksOf(view, 'b')[0]?.status.pendingReason, 'waiting for a to start');
  });

  void test('names resolve only in the task environment; unmet reasons are joined', () => {
    const otherDb = makeService('db-x', { image: 'db' }, { env: 'other', name: 'db' });
    const web = makeService('web', { image: 'web', dependsOn: [dep('started'), dep('healthy', 'cache')] });
    const task = makeTask(web, { slot: 1, state: 'pending' });
    const running = makeTask(otherDb, { slot: 1, nodeId: 'n1', state: 'running', env: 'other' });
    const plan = schedule(makeView({ services: [otherDb, web], nodes, tasks: [running, task], now: T0 }));
    assert.equal(
      plan.updateTasks[0]?.status.pendingReason,
      'waiting for db, which does not exist; waiting for cache, which does not exist',
    );
  });

  void test('a waiting task whose reason did not change is not rewritten', () => {
    const web = makeService('web', { image: 'web', dependsOn: [dep('started')] });
    const task = makeTask(web, { slot: 1, state: 'pending', status: { pendingReason: 'waiting for db, which does not exist' } });
    assert.equal(schedule(makeView({ services: [web], nodes, tasks: [task] })).updateTasks.length, 0);
  });
});
