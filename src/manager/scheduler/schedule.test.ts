import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeObject, ServiceObject, TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { applyPlan } from '../orchestrator/apply-plan.js';
import { T0, makeNode, makeService, makeTask, makeView } from '../orchestrator/fixtures.test-util.js';
import { schedule } from './schedule.js';

const GiB = 2 ** 30;

function pendingOf(svc: ServiceObject, n: number, over: Partial<TaskObject> = {}): TaskObject[] {
  return Array.from({ length: n }, (_, i) => makeTask(svc, { slot: i + 1, state: 'pending', at: T0 + i, ...over }));
}

function place(spec: ServiceSpecInput, nodes: NodeObject[], n = 1, existing: TaskObject[] = []) {
  const svc = makeService('web', spec);
  const tasks = [...existing, ...pendingOf(svc, n)];
  const plan = schedule(makeView({ services: [svc], nodes, tasks }));
  const assigned = plan.updateTasks.filter((t) => t.status.state === 'assigned');
  const pending = plan.updateTasks.filter((t) => t.status.state === 'pending');
  return { plan, assigned, pending, nodesUsed: assigned.map((t) => t.nodeId) };
}

void describe('scheduler', () => {
  void test('assigns with status and no pending reason', () => {
    const svc = makeService('web', { image: 'x' });
    const [t] = pendingOf(svc, 1, { status: { state: 'pending', message: 'created', timestamp: '', pendingReason: 'old' } });
    assert.ok(t);
    const plan = schedule(makeView({ services: [svc], nodes: [makeNode('n1')], tasks: [t], now: T0 + 5 }));
    const a = plan.updateTasks[0];
    assert.equal(a?.nodeId, 'n1');
    assert.deepEqual(a?.status, { state: 'assigned', message: 'scheduler assigned task to node', timestamp: new Date(T0 + 5).toISOString() });
  });

  void test('ignores tasks that are not pending or not desired running', () => {
    const svc = makeService('web', { image: 'x' });
    const tasks = [
      makeTask(svc, { slot: 1, state: 'new' }),
      makeTask(svc, { slot: 2, state: 'pending', desiredState: 'shutdown' }),
      makeTask(svc, { slot: 3, state: 'running', nodeId: 'n1' }),
    ];
    const plan = schedule(makeView({ services: [svc], nodes: [makeNode('n1')], tasks }));
    assert.equal(plan.updateTasks.length, 0);
  });

  void test('ready and availability filters explain themselves', () => {
    const nodes = [
      makeNode('a', { state: 'down' }),
      makeNode('b', { state: 'disconnected' }),
      makeNode('c', { availability: 'drain' }),
    ];
    const { pending } = place({ image: 'x' }, nodes);
    assert.equal(pending[0]?.status.pendingReason, 'no suitable node (2 nodes are not ready; 1 node not available for new tasks)');
  });

  void test('constraints: names the constraint, says "no node" when none satisfies it', () => {
    const nodes = [makeNode('a', { labels: { zone: 'b' } }), makeNode('b')];
    const none = place({ image: 'x', placement: { constraints: ['node.labels.zone==a'] } }, nodes);
    assert.equal(none.pending[0]?.status.pendingReason, 'no suitable node (no node satisfies constraint node.labels.zone==a)');
    const some = place({ image: 'x', placement: { constraints: ['node.labels.zone==a', 'node.role==manager'] } }, [
      ...nodes,
      makeNode('c', { availability: 'pause' }),
    ]);
    assert.equal(
      some.pending[0]?.status.pendingReason,
      'no suitable node (1 node not available for new tasks; 2 nodes do not satisfy constraints node.labels.zone==a, node.role==manager)',
    );
    const ok = place({ image: 'x', placement: { constraints: ['node.hostname==b'] } }, nodes);
    assert.deepEqual(ok.nodesUsed, ['b']);
  });

  void test('resources: reservations add up within one pass and across existing tasks', () => {
    const spec = { image: 'x', resources: { reservations: { memoryBytes: 3 * GiB, nanoCpus: 1e9 } } };
    const nodes = [makeNode('a', { resources: { nanoCpus: 4e9, memoryBytes: 8 * GiB } }), makeNode('b', { resources: { nanoCpus: 4e9, memoryBytes: 4 * GiB } })];
    const r = place(spec, nodes, 4);
    assert.equal(r.assigned.length, 3);
    assert.deepEqual(r.nodesUsed.sort(), ['a', 'a', 'b']);
    assert.equal(r.pending[0]?.status.pendingReason, 'no suitable node (2 nodes have insufficient memory)');

    const cpu = place({ image: 'x', resources: { reservations: { nanoCpus: 3e9 } } }, [makeNode('a')], 2);
    assert.equal(cpu.pending[0]?.status.pendingReason, 'no suitable node (1 node has insufficient CPU)');

    // Running tasks hold resources; ended ones and ones never assigned do not.
    const holder = makeService('db', spec);
    const existing = [
      makeTask(holder, { slot: 1, nodeId: 'b', state: 'running' }),
      makeTask(holder, { slot: 2, nodeId: 'a', state: 'failed' }),
      makeTask(holder, { slot: 3, nodeId: 'a', state: 'shutdown', desiredState: 'shutdown' }),
    ];
    const withExisting = place(spec, nodes, 3, existing);
    assert.deepEqual(withExisting.nodesUsed.sort(), ['a', 'a']);
  });

  void test('host ports: conflicts per protocol, within a pass; ingress ports bind no host port', () => {
    const spec = { image: 'x', ports: [{ target: 80, published: 8080, mode: 'host' as const }] };
    const r = place(spec, [makeNode('a'), makeNode('b')], 3);
    assert.deepEqual(r.nodesUsed.sort(), ['a', 'b']);
    assert.equal(r.pending[0]?.status.pendingReason, 'no suitable node (host port 8080/tcp in use on 2 nodes)');

    const other = makeService('other', { image: 'y', ports: [{ target: 53, published: 8080, protocol: 'udp', mode: 'host' }] });
    const udp = place(spec, [makeNode('a')], 1, [makeTask(other, { slot: 1, nodeId: 'a' })]);
    assert.deepEqual(udp.nodesUsed, ['a'], 'udp 8080 does not block tcp 8080');

    const ingress = makeService('ing', { image: 'y', ports: [{ target: 80, published: 8080, mode: 'ingress' }] });
    const beside = place(spec, [makeNode('a')], 1, [makeTask(ingress, { slot: 1, nodeId: 'a', state: 'assigned' })]);
    assert.deepEqual(beside.nodesUsed, ['a'], 'the ingress proxy, not the task, holds 8080 on every node');
    const replicas = place({ image: 'x', ports: [{ target: 80, published: 9090 }] }, [makeNode('a')], 3);
    assert.equal(replicas.assigned.length, 3, 'ingress replicas share a node');
  });

  void test('max replicas per node', () => {
    const r = place({ image: 'x', placement: { maxReplicasPerNode: 2 } }, [makeNode('a')], 3);
    assert.equal(r.assigned.length, 2);
    assert.equal(r.pending[0]?.status.pendingReason, 'no suitable node (max replicas per node (2) reached on 1 node)');
  });

  void test('spreads over the fewest tasks of the service, then fewest tasks, then node id', () => {
    const other = makeService('other', { image: 'y' });
    const busy = [makeTask(other, { slot: 1, nodeId: 'a' }), makeTask(other, { slot: 2, nodeId: 'a' })];
    const r = place({ image: 'x' }, [makeNode('c'), makeNode('a'), makeNode('b')], 4, busy);
    assert.deepEqual(r.nodesUsed, ['b', 'c', 'a', 'b']);
  });

  void test('placement preference spreads across label values first', () => {
    const nodes = [
      makeNode('a1', { labels: { zone: 'a' } }),
      makeNode('a2', { labels: { zone: 'a' } }),
      makeNode('a3', { labels: { zone: 'a' } }),
      makeNode('b1', { labels: { zone: 'b' } }),
    ];
    const r = place({ image: 'x', placement: { preferences: [{ spread: 'node.labels.zone' }] } }, nodes, 4);
    const zones = r.assigned.map((t) => nodes.find((n) => n.id === t.nodeId)?.labels.zone);
    assert.equal(zones.filter((z) => z === 'a').length, 2);
    assert.equal(zones.filter((z) => z === 'b').length, 2);
    // Without the preference the node count wins: 3 of 4 in zone a.
    const plain = place({ image: 'x' }, nodes, 4);
    assert.equal(plain.assigned.filter((t) => t.nodeId?.startsWith('a')).length, 3);
  });

  void test('a global task is only judged on its own node', () => {
    const svc = makeService('g', { image: 'x', mode: 'global', resources: { reservations: { memoryBytes: 16 * GiB } } });
    const tasks = [makeTask(svc, { nodeId: 'a', state: 'pending' }), makeTask(svc, { nodeId: 'zz', state: 'pending' })];
    const big = makeNode('big', { resources: { nanoCpus: 1e9, memoryBytes: 64 * GiB } });
    const plan = schedule(makeView({ services: [svc], nodes: [makeNode('a'), big], tasks }));
    assert.deepEqual(plan.updateTasks.map((t) => [t.nodeId, t.status.pendingReason]), [
      ['a', 'no suitable node (1 node has insufficient memory)'],
      ['zz', 'no suitable node (node zz is not in the cluster)'],
    ]);
    const fits = schedule(makeView({ services: [svc], nodes: [big], tasks: [makeTask(svc, { nodeId: 'big', state: 'pending' })] }));
    assert.equal(fits.updateTasks[0]?.status.state, 'assigned');
  });

  void test('no nodes at all, and no rewrite when the reason is unchanged', () => {
    const svc = makeService('web', { image: 'x' });
    const view = makeView({ services: [svc], tasks: pendingOf(svc, 2) });
    const plan = schedule(view);
    assert.equal(plan.updateTasks[0]?.status.pendingReason, 'no suitable node (no node in environment "default")');
    assert.equal(schedule(applyPlan(view, plan)).updateTasks.length, 0);
  });

  void test('scale: 1000 nodes, 5000 tasks placed correctly', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) =>
      makeNode(`node-${String(i).padStart(4, '0')}`, {
        labels: { zone: `z${i % 3}` },
        availability: i % 100 === 0 ? 'drain' : 'active',
        resources: { nanoCpus: 8e9, memoryBytes: 16 * GiB },
      }),
    );
    const services = [
      makeService('api', { image: 'x', replicas: 2000, resources: { reservations: { memoryBytes: 1 * GiB } }, placement: { preferences: [{ spread: 'node.labels.zone' }] } }),
      makeService('web', { image: 'x', replicas: 2000, ports: [{ target: 80, published: 80, mode: 'host' }] }),
      makeService('db', { image: 'x', replicas: 1000, placement: { constraints: ['node.labels.zone==z1'], maxReplicasPerNode: 3 } }),
    ];
    const tasks = services.flatMap((s) => pendingOf(s, s.spec.replicas));
    const view = makeView({ services, nodes, tasks });
    const plan = schedule(view);
    const byNode = new Map<string, TaskObject[]>();
    for (const t of plan.updateTasks) {
      if (t.status.state !== 'assigned') continue;
      const list = byNode.get(t.nodeId ?? '') ?? [];
      list.push(t);
      byNode.set(t.nodeId ?? '', list);
    }
    const nodeById = new Map(nodes.map((n) => [n.id, n]));
    let assigned = 0;
    for (const [id, list] of byNode) {
      const node = nodeById.get(id);
      assert.ok(node && node.availability === 'active');
      assigned += list.length;
      const mem = list.reduce((s, t) => s + t.spec.resources.reservations.memoryBytes, 0);
      assert.ok(mem <= node.resources.memoryBytes);
      assert.ok(list.filter((t) => t.serviceId === 'web').length <= 1, 'port 80 once per node');
      const db = list.filter((t) => t.serviceId === 'db');
      assert.ok(db.length <= 3);
      if (db.length > 0) assert.equal(node.labels.zone, 'z1');
    }
    // 990 active nodes: web fits 990; db fits 3 per z1 node (330 nodes, 3 drained... 330 active): all 1000 would need 334 nodes.
    const webPlaced = plan.updateTasks.filter((t) => t.serviceId === 'web' && t.status.state === 'assigned').length;
    assert.equal(webPlaced, 990);
    assert.equal(plan.updateTasks.filter((t) => t.serviceId === 'api' && t.status.state === 'assigned').length, 2000);
    const apiZones = new Map<string, number>();
    for (const t of plan.updateTasks) {
      if (t.serviceId !== 'api') continue;
      const z = nodeById.get(t.nodeId ?? '')?.labels.zone ?? '';
      apiZones.set(z, (apiZones.get(z) ?? 0) + 1);
    }
    const counts = [...apiZones.values()];
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `api spread: ${counts.join(',')}`);
    const webPending = plan.updateTasks.find((t) => t.serviceId === 'web' && t.status.state === 'pending');
    assert.equal(webPending?.status.pendingReason, 'no suitable node (10 nodes not available for new tasks; host port 80/tcp in use on 990 nodes)');
    assert.equal(assigned, plan.updateTasks.filter((t) => t.status.state === 'assigned').length);
  });
});
