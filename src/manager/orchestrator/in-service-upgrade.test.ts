import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InServiceUpgrade, ServiceObject } from '../../api/objects.js';
import { iso } from '../../lib/clock.js';
import { T0, liveTasks, makeNode, makeService, makeTask, makeView, round, serviceOf, updatedService } from './fixtures.test-util.js';
import { reconcileInServiceUpgrades } from './in-service-upgrade.js';
import { reapTasks } from './reaper.js';
import type { ClusterView } from './view.js';

/** Rounds of manager and agents; running tasks get a container id (an adopting task: the adopted one). */
function run(view: ClusterView, rounds: number): ClusterView {
  let v = view;
  for (let i = 0; i < rounds; i++) {
    v = round(v);
    v = {
      ...v,
      tasks: v.tasks.map((t) =>
        t.status.state === 'running' && !t.status.containerId ? { ...t, status: { ...t.status, containerId: t.adoptContainerId ?? `c-${t.id}` } } : t,
      ),
    };
  }
  return v;
}

function withService(view: ClusterView, service: ServiceObject): ClusterView {
  return { ...view, services: view.services.map((s) => (s.id === service.id ? service : s)) };
}

/** What `POST /v1/services/:ref/upgrade` writes. */
function upgraded(service: ServiceObject, image: string, now: number): ServiceObject {
  const next = updatedService(service, { image }, now);
  const upgrade: InServiceUpgrade = {
    state: 'upgrading',
    startedAt: iso(now),
    previousSpec: service.spec,
    previousSpecVersion: service.specVersion,
    specVersion: next.specVersion,
    keptTaskIds: [],
  };
  return { ...next, upgrade };
}

function setState(view: ClusterView, id: string, state: InServiceUpgrade['state']): ClusterView {
  const s = serviceOf(view, id);
  assert.ok(s.upgrade);
  return withService(view, { ...s, upgrade: { ...s.upgrade, state } });
}

function upgradedCluster(): { view: ClusterView; oldContainers: string[] } {
  const svc = makeService('web', { image: 'app:1', replicas: 2, taskHistoryLimit: 0, updateConfig: { monitorMs: 0 } });
  let view = run(makeView({ services: [svc], nodes: [makeNode('n1'), makeNode('n2')] }), 3);
  const oldContainers = liveTasks(view, 'web').map((t) => t.status.containerId ?? '').sort();
  assert.equal(oldContainers.length, 2);
  view = withService(view, upgraded(serviceOf(view, 'web'), 'app:2', view.now));
  return { view: run(view, 6), oldContainers };
}

void describe('in-service upgrade', () => {
  void test('stops the old tasks but keeps them (and their containers) while the new spec runs', () => {
    const { view, oldContainers } = upgradedCluster();
    const service = serviceOf(view, 'web');
    assert.equal(service.upgrade?.state, 'upgraded');
    const kept = view.tasks.filter((t) => t.keepContainer);
    assert.deepEqual(kept.map((t) => t.status.containerId).sort(), oldContainers);
    assert.ok(kept.every((t) => t.status.state === 'shutdown' && t.desiredState === 'shutdown'));
    assert.deepEqual(service.upgrade.keptTaskIds.sort(), kept.map((t) => t.id).sort());
    const live = liveTasks(view, 'web');
    assert.equal(live.length, 2);
    assert.ok(live.every((t) => t.spec.image === 'app:2' && t.status.state === 'running'));
    assert.equal(service.updateStatus?.state, 'completed');
    // taskHistoryLimit 0 would reap any other ended task at once.
    assert.equal(reapTasks(view).deleteTasks.length, 0);
  });

  void test('a task not yet on a node is stopped without being kept', () => {
    const svc = makeService('web', { image: 'app:1', replicas: 1 }, { specVersion: 2, upgrade: { state: 'upgrading', startedAt: iso(T0), previousSpec: makeService('x', { image: 'app:0' }).spec, previousSpecVersion: 1, specVersion: 2, keptTaskIds: [] } });
    const pending = makeTask(svc, { slot: 1, specVersion: 1, state: 'pending' });
    const plan = reconcileInServiceUpgrades(makeView({ services: [svc], tasks: [pending] }));
    assert.equal(plan.updateTasks[0]?.desiredState, 'shutdown');
    assert.equal(plan.updateTasks[0]?.keepContainer, undefined);
    assert.deepEqual(plan.updateServices[0]?.upgrade?.keptTaskIds, []);
  });

  void test('confirm removes the kept tasks and ends the upgrade', () => {
    const { view: upgradedView } = upgradedCluster();
    const view = run(setState(upgradedView, 'web', 'confirming'), 2);
    assert.equal(serviceOf(view, 'web').upgrade, undefined);
    assert.equal(view.tasks.filter((t) => t.keepContainer).length, 0);
    assert.equal(view.tasks.filter((t) => t.spec.image === 'app:1').length, 0, 'kept tasks are deleted (their containers removed)');
    assert.ok(liveTasks(view, 'web').every((t) => t.spec.image === 'app:2'));
  });

  void test('rollback removes the new tasks and adopts the kept containers on their nodes and slots', () => {
    const { view: upgradedView, oldContainers } = upgradedCluster();
    const keptBefore = upgradedView.tasks.filter((t) => t.keepContainer);
    const view = run(setState(upgradedView, 'web', 'rolling_back'), 9);
    const service = serviceOf(view, 'web');
    assert.equal(service.upgrade, undefined);
    assert.equal(service.spec.image, 'app:1');
    assert.equal(service.updateStatus?.state, 'rollback_completed');
    const live = liveTasks(view, 'web');
    assert.deepEqual(live.map((t) => t.adoptContainerId).sort(), oldContainers);
    assert.deepEqual(live.map((t) => t.status.containerId).sort(), oldContainers);
    for (const t of live) {
      const from = keptBefore.find((k) => k.id === t.adoptFromTaskId);
      assert.ok(from, 'each adopting task names the kept task');
      assert.equal(t.nodeId, from.nodeId);
      assert.equal(t.slot, from.slot);
      assert.equal(t.status.state, 'running');
    }
    assert.ok(view.tasks.filter((t) => t.spec.image === 'app:2').every((t) => t.desiredState === 'remove'));
  });

  void test('rollback waits until every kept task has stopped', () => {
    const svc = makeService('web', { image: 'app:2', replicas: 1 }, { specVersion: 2 });
    const oldSpec = makeService('x', { image: 'app:1', replicas: 1 }).spec;
    const service: ServiceObject = { ...svc, upgrade: { state: 'rolling_back', startedAt: iso(T0), previousSpec: oldSpec, previousSpecVersion: 1, specVersion: 2, keptTaskIds: ['k'] } };
    const stopping = { ...makeTask(service, { slot: 1, nodeId: 'n1', specVersion: 1, desiredState: 'shutdown', status: { containerId: 'c1' } }), keepContainer: true };
    const plan = reconcileInServiceUpgrades(makeView({ services: [service], tasks: [stopping] }));
    assert.equal(plan.createTasks.length + plan.updateTasks.length + plan.updateServices.length, 0);
  });
});

void test('a global service: upgrade replaces the task on each node, rollback adopts the kept one there', () => {
  const svc = makeService('agent', { image: 'agent:1', mode: 'global', updateConfig: { monitorMs: 0 } });
  let view = run(makeView({ services: [svc], nodes: [makeNode('n1'), makeNode('n2')] }), 3);
  const old = liveTasks(view, 'agent').map((t) => `${t.nodeId ?? ''}=${t.status.containerId ?? ''}`).sort();
  view = run(withService(view, upgraded(serviceOf(view, 'agent'), 'agent:2', view.now)), 4);
  assert.equal(serviceOf(view, 'agent').updateStatus?.state, 'completed');
  const live = liveTasks(view, 'agent');
  assert.deepEqual(live.map((t) => t.nodeId).sort(), ['n1', 'n2']);
  assert.ok(live.every((t) => t.spec.image === 'agent:2' && t.status.state === 'running'));
  view = run(setState(view, 'agent', 'rolling_back'), 9);
  const back = liveTasks(view, 'agent');
  assert.deepEqual(back.map((t) => `${t.nodeId ?? ''}=${t.status.containerId ?? ''}`).sort(), old);
  assert.ok(back.every((t) => t.adoptContainerId !== undefined && t.spec.image === 'agent:1'));
});
