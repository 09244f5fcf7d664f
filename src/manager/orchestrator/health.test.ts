import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { iso } from '../../lib/clock.js';
import type { AgentBehaviour } from './fixtures.test-util.js';
import { T0, liveTasks, makeNode, makeService, makeTask, makeView, round, serviceOf, updatedService } from './fixtures.test-util.js';
import { reconcile } from './reconcile.js';
import { describeFailure, isMonitoredFailure } from './update-failures.js';
import type { ClusterView } from './view.js';

const check = { test: ['CMD-SHELL', 'test -f /tmp/ready'], intervalMs: 1000, retries: 1 };
const nodes = ['n1', 'n2', 'n3'].map((id) => makeNode(id));

type Health = NonNullable<TaskObject['status']['health']>;

/**
 * A round in which agents also report health: `healthOf` decides each running task's health
 * (undefined leaves it as it is), the way the engine's health check would.
 */
function healthRound(view: ClusterView, healthOf: (t: TaskObject) => Health | undefined, agent: AgentBehaviour = {}): ClusterView {
  const next = round(view, 1000, agent);
  const ts = iso(next.now);
  return {
    ...next,
    tasks: next.tasks.map((t) => {
      if (t.status.state !== 'running') return t;
      const health = healthOf(t);
      if (health === undefined || health === t.status.health) return t;
      return { ...t, status: { ...t.status, health, timestamp: ts } };
    }),
  };
}

const live = (view: ClusterView): TaskObject[] => liveTasks(view, 'web');

void describe('unhealthy tasks', () => {
  const sick = (svc: ReturnType<typeof makeService>, at = T0): TaskObject =>
    makeTask(svc, { slot: 1, nodeId: 'n1', state: 'running', status: { health: 'unhealthy' }, at });

  void test('are stopped and replaced after the restart delay, the replacement waiting for the stop', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { delayMs: 4000 } });
    const old = sick(svc);
    const plan = reconcile(makeView({ services: [svc], nodes, tasks: [old], now: T0 + 1000 }));
    const stopped = plan.updateTasks.find((t) => t.id === old.id);
    assert.equal(stopped?.desiredState, 'shutdown');
    assert.equal(stopped?.stoppedUnhealthyAt, iso(T0 + 1000));
    const [next] = plan.createTasks;
    assert.equal(next?.slot, 1);
    assert.equal(next?.restartOf, old.id);
    assert.equal(next?.status.state, 'new', 'held back until the unhealthy container has stopped');
    assert.equal(next?.notBefore, iso(T0 + 5000));
    assert.equal(plan.wakeAt, T0 + 5000);
  });

  void test('the replacement runs only after the delay and once the old one has ended', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { delayMs: 3000 } });
    let view = makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [sick(svc)], now: T0 });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      view = round(view);
      const replacement = live(view)[0];
      const old = view.tasks.find((t) => t.restartOf === undefined);
      seen.push(`${old?.status.state}/${replacement?.status.state}`);
    }
    // Old stops in the first round; the new task is scheduled no earlier than T0 + 3000.
    assert.deepEqual(seen, ['shutdown/new', 'shutdown/pending', 'shutdown/pending', 'shutdown/running', 'shutdown/running', 'shutdown/running']);
  });

  void test('restart policy none leaves it running, and so do used-up attempts', () => {
    const none = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { condition: 'none' } });
    const p1 = reconcile(makeView({ services: [none], nodes, tasks: [sick(none)] }));
    assert.equal(p1.createTasks.length + p1.updateTasks.length, 0);
    const limited = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { maxAttempts: 1 } });
    const t = { ...sick(limited), restartHistory: [iso(T0)] };
    const p2 = reconcile(makeView({ services: [limited], nodes, tasks: [t] }));
    assert.equal(p2.createTasks.length + p2.updateTasks.length, 0);
  });

  void test('on-failure treats unhealthy as a failure', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { condition: 'on-failure' } });
    assert.equal(reconcile(makeView({ services: [svc], nodes, tasks: [sick(svc)] })).createTasks.length, 1);
  });

  void test('healthy and starting tasks are left alone', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check });
    for (const health of ['starting', 'healthy'] as const) {
      const t = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'running', status: { health } });
      const plan = reconcile(makeView({ services: [svc], nodes, tasks: [t] }));
      assert.equal(plan.createTasks.length + plan.updateTasks.length, 0, health);
    }
  });

  void test('an always-unhealthy service keeps being replaced, counting attempts', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check, restartPolicy: { delayMs: 0, maxAttempts: 3 } });
    let view = makeView({ services: [svc], nodes });
    for (let i = 0; i < 30; i++) view = healthRound(view, () => 'unhealthy');
    const replaced = view.tasks.filter((t) => t.stoppedUnhealthyAt !== undefined);
    assert.equal(replaced.length, 3);
    // The last one is left running unhealthy: no attempts left.
    assert.equal(live(view).length, 1);
    assert.equal(live(view)[0]?.status.health, 'unhealthy');
  });
});

void describe('rolling updates with health checks', () => {
  /** Deployed and healthy. */
  function deployed(spec: ServiceSpecInput): ClusterView {
    let view = makeView({ services: [makeService('web', spec)], nodes });
    for (let i = 0; i < 3; i++) view = healthRound(view, () => 'healthy');
    assert.equal(live(view).filter((t) => t.status.health === 'healthy').length, spec.replicas ?? 1);
    return view;
  }
  const startUpdate = (view: ClusterView, change: Partial<ServiceSpecInput>): ClusterView => ({
    ...view,
    services: [updatedService(serviceOf(view, 'web'), change, view.now)],
  });

  void test('the next batch waits until the new task is healthy; the monitor period counts from healthy', () => {
    const spec = { image: 'app:1', replicas: 2, healthcheck: check, updateConfig: { parallelism: 1, monitorMs: 3000 } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    // New tasks stay "starting" for 5 rounds after they start running.
    const startedAt = new Map<string, number>();
    const healthOf = (t: TaskObject): Health => {
      if (t.spec.image === 'app:1') return 'healthy';
      const since = startedAt.get(t.id) ?? view.now;
      startedAt.set(t.id, since);
      return view.now - since >= 5000 ? 'healthy' : 'starting';
    };
    const log: string[] = [];
    let completedAt = 0;
    let lastHealthyAt = 0;
    for (let i = 0; i < 40 && !completedAt; i++) {
      view = healthRound(view, healthOf);
      const fresh = live(view).filter((t) => t.spec.image === 'app:2');
      const notHealthy = fresh.filter((t) => t.status.health !== 'healthy').length;
      log.push(`${fresh.length}:${notHealthy}`);
      // Never a second new task while the first is not healthy yet.
      assert.ok(!(fresh.length === 2 && notHealthy === 2), log.join(' '));
      if (fresh.length === 2 && notHealthy === 0 && !lastHealthyAt) lastHealthyAt = view.now;
      if (serviceOf(view, 'web').updateStatus?.state === 'completed') completedAt = view.now;
    }
    assert.ok(completedAt > 0, `update did not complete: ${log.join(' ')}`);
    assert.ok(completedAt - lastHealthyAt >= 3000, `monitor period after healthy: ${completedAt - lastHealthyAt} ms`);
    assert.ok(log.includes('1:1'), 'there was a time the first new task was waited for');
  });

  void test('unhealthy during the update counts as a failure for failureAction (pause)', () => {
    const spec = { image: 'app:1', replicas: 2, healthcheck: check, updateConfig: { failureAction: 'pause' as const } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    for (let i = 0; i < 10; i++) view = healthRound(view, (t) => (t.spec.image === 'app:2' ? 'unhealthy' : 'healthy'));
    const status = serviceOf(view, 'web').updateStatus;
    assert.equal(status?.state, 'paused');
    assert.match(status?.message ?? '', /unhealthy/);
    // Only the first batch was touched: the other slot still runs the old version.
    assert.ok(live(view).some((t) => t.spec.image === 'app:1' && t.status.state === 'running'));
  });

  void test('unhealthy during the update with failureAction rollback rolls back', () => {
    const spec = { image: 'app:1', replicas: 2, healthcheck: check, updateConfig: { failureAction: 'rollback' as const } };
    let view = startUpdate(deployed(spec), { image: 'app:2' });
    for (let i = 0; i < 20; i++) view = healthRound(view, (t) => (t.spec.image === 'app:2' ? 'unhealthy' : 'healthy'));
    const svc = serviceOf(view, 'web');
    assert.equal(svc.spec.image, 'app:1');
    assert.equal(svc.updateStatus?.state, 'rollback_completed');
  });

  void test('a task stopped for being unhealthy stays a failure after its container ended', () => {
    const svc = makeService('web', { image: 'x', healthcheck: check });
    const ended = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'shutdown', desiredState: 'shutdown', stoppedUnhealthyAt: iso(T0) });
    assert.equal(isMonitoredFailure(ended, 5000), true);
    assert.equal(describeFailure([ended]), `task web.1.${ended.id} unhealthy`);
    const stopped = makeTask(svc, { slot: 1, nodeId: 'n1', state: 'shutdown', desiredState: 'shutdown' });
    assert.equal(isMonitoredFailure(stopped, 5000), false, 'an ordinary stop is no failure');
  });

  void test('without a health check, running is enough', () => {
    const spec = { image: 'app:1', replicas: 2, updateConfig: { monitorMs: 1000 } };
    let view = makeView({ services: [makeService('web', spec)], nodes });
    for (let i = 0; i < 3; i++) view = round(view);
    view = startUpdate(view, { image: 'app:2' });
    for (let i = 0; i < 10; i++) view = round(view);
    assert.equal(serviceOf(view, 'web').updateStatus?.state, 'completed');
  });
});
