import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { MultiHostCluster } from './harness/multi-host/index.js';
import {
  containersOn,
  duplicateSlots,
  leftovers,
  nodeIndexOf,
  removeServiceEverywhere,
  runningContainersOn,
  runningInEngines,
  runningTasks,
  serviceTasks,
  startMultiHostCluster,
  tasksPerNode,
  waitNodeState,
  waitRunning,
} from './harness/multi-host/index.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { sleep, waitFor } from './harness/wait.js';

/** 6 replicas, spread 2/2/2 over the 3 nodes; returns the running tasks. */
async function sixReplicas(c: MultiHostCluster, name: string) {
  await c.client.createService({ name, spec: webSpec({ replicas: 6 }) });
  const running = await waitRunning(c, name, 6);
  assert.deepEqual(tasksPerNode(c, running), [2, 2, 2], 'spread 2/2/2');
  return running;
}

/**
 * After a node came back: wait until no container of the service runs on it, then sample for `ms`:
 * every sample must show 6 running tasks in 6 distinct slots, and the engines exactly their containers.
 */
async function assertConvergedWithoutDuplicates(c: MultiHostCluster, name: string, victim: number, ms: number): Promise<void> {
  await waitFor(`the stale containers on ${c.node(victim).name} to stop`, async () => (await runningContainersOn(c, victim, name)).length === 0, 30_000);
  const end = Date.now() + ms;
  let samples = 0;
  while (Date.now() < end) {
    const tasks = await runningTasks(c, name);
    const engines = await runningInEngines(c, name);
    assert.equal(tasks.length, 6, `6 running tasks (sample ${samples})`);
    assert.deepEqual(duplicateSlots(tasks), [], `no slot with two running tasks (sample ${samples})`);
    assert.equal(engines.length, 6, `6 running containers across the engines (sample ${samples})`);
    assert.deepEqual(duplicateSlots(engines.map((e) => ({ id: e.containerId, slot: e.slot }))), [], `no slot with two running containers (sample ${samples})`);
    assert.deepEqual(engines.map((e) => e.taskId).sort(), tasks.map((t) => t.id).sort(), 'the containers are those of the running tasks');
    samples++;
    await sleep(250);
  }
  assert.ok(samples >= 10, `sampled ${samples} times`);
}

/** Issue 3: "restart the agent → its stale containers are removed" (not only stopped). */
async function assertStaleContainersRemoved(c: MultiHostCluster, name: string, victim: number): Promise<void> {
  const left = await waitFor(`the stale containers on ${c.node(victim).name} to be removed`, async () => {
    const all = await containersOn(c, victim, name);
    return all.length === 0 ? [] : undefined;
  }, 10_000).catch(async () => containersOn(c, victim, name));
  const tasks = await serviceTasks(c, name);
  const describe = left.map((x) => {
    const t = tasks.find((k) => k.id === x.Labels['io.shoal.task.id']);
    return `${x.Id.slice(0, 12)} ${x.State} task ${t?.id ?? '?'} slot ${t?.slot ?? '?'} desired ${t?.desiredState ?? '?'} state ${t?.status.state ?? 'gone'}`;
  });
  assert.deepEqual(describe, [], `containers left on ${c.node(victim).name} after it came back`);
}

describe('multi-host cluster: a manager, an agent on the host and two in their own namespaces', { timeout: 6 * 60_000 }, () => {
  let c: MultiHostCluster;
  before(async () => {
    c = await startMultiHostCluster({ nodes: 3 });
    console.log(`cluster start: ${JSON.stringify(c.timings)}`);
  }, { timeout: 180_000 });
  beforeEach(async () => {
    for (const n of c.nodes) await waitNodeState(c, n.index, 'ready', 30_000);
  });
  afterEach(async () => {
    // A failed test leaves its services: remove them so the next test starts from an empty cluster.
    for (const s of await c.client.listServices()) await removeServiceEverywhere(c, s.name).catch(() => undefined);
  });
  after(async () => {
    if (!c) return;
    const runId = c.runId;
    assert.deepEqual(await c.destroy(), [], 'teardown removed everything');
    assert.deepEqual(leftovers(runId), [], 'nothing of the run is left on the machine');
  });

  test('every node reports its resources, engine and own address', async () => {
    const nodes = await c.client.listNodes();
    for (const n of c.nodes) {
      const obj = nodes.find((x) => x.id === n.nodeId);
      assert.ok(obj, `${n.name} is listed`);
      assert.equal(obj.status.state, 'ready');
      assert.ok(obj.resources.nanoCpus > 0, `${n.name} nanoCpus`);
      assert.ok(obj.resources.memoryBytes > 0, `${n.name} memoryBytes`);
      assert.ok(obj.engine.version, `${n.name} engine version`);
      if (n.network) assert.match(obj.status.address, new RegExp(`${n.network.nodeAddress.replace(/\./g, '\\.')}$`), `${n.name} connects from its namespace`);
    }
  });

  test('a 6-replica service spreads 2/2/2, and each engine runs the containers of its tasks', async () => {
    const name = uniqueName('spread');
    const running = await sixReplicas(c, name);
    for (const n of c.nodes) {
      const ids = (await runningContainersOn(c, n.index, name)).map((x) => x.Id).sort();
      const expected = running.filter((t) => t.nodeId === n.nodeId).map((t) => t.status.containerId ?? '').sort();
      assert.deepEqual(ids, expected, `containers in the engine of ${n.name}`);
    }
    await removeServiceEverywhere(c, name);
  });

  test('kill -9 of an agent: node down, tasks replaced elsewhere; restarted, its stale containers go', async () => {
    const name = uniqueName('killed');
    const victim = 1;
    await sixReplicas(c, name);
    const killedAt = await c.killAgent(victim);
    await waitNodeState(c, victim, 'down', 15_000);
    const downMs = Date.now() - killedAt;
    const replaced = await waitRunning(c, name, 6, { notOn: [victim], timeoutMs: 30_000 });
    const rescheduledMs = Date.now() - killedAt;
    assert.deepEqual(replaced.map((t) => t.slot).sort(), [1, 2, 3, 4, 5, 6]);
    assert.equal((await runningContainersOn(c, victim, name)).length, 2, 'without its agent, the engine still runs the old containers');
    console.log(`kill -9 of an agent: node down after ${downMs} ms, its tasks running elsewhere after ${rescheduledMs} ms`);
    const readyMs = await c.startAgent(victim);
    console.log(`agent restart → node ready in ${readyMs} ms`);
    await assertConvergedWithoutDuplicates(c, name, victim, 5000);
    await assertStaleContainersRemoved(c, name, victim);
    await removeServiceEverywhere(c, name);
  });

  test('a node cut off the network: down, replaced; restored: converges with no duplicate slots', async () => {
    const name = uniqueName('cut');
    const victim = 2;
    await sixReplicas(c, name);
    const cutAt = Date.now();
    c.cutNetwork(victim);
    let restored = false;
    try {
      await waitNodeState(c, victim, 'down', 15_000);
      const downMs = Date.now() - cutAt;
      await waitRunning(c, name, 6, { notOn: [victim], timeoutMs: 30_000 });
      console.log(`network cut: node down after ${downMs} ms, its tasks running elsewhere after ${Date.now() - cutAt} ms`);
      c.restoreNetwork(victim);
      restored = true;
      const restoredAt = Date.now();
      // From the restore on, the manager never shows two running tasks in one slot.
      await waitFor('the node to be ready again with no stale container running', async () => {
        const tasks = await runningTasks(c, name);
        assert.deepEqual(duplicateSlots(tasks), [], 'no duplicate running slot while reconnecting');
        const node = await c.client.getNode(c.node(victim).nodeId);
        return node.status.state === 'ready' && (await runningContainersOn(c, victim, name)).length === 0;
      }, 30_000, 100);
      console.log(`network restored: node ready and its stale containers stopped after ${Date.now() - restoredAt} ms`);
      await assertStaleContainersRemoved(c, name, victim);
      await assertConvergedWithoutDuplicates(c, name, victim, 5000);
    } finally {
      if (!restored) c.restoreNetwork(victim);
    }
    await removeServiceEverywhere(c, name);
  });

  test('drain moves the node\'s tasks and leaves the others untouched; activate', async () => {
    const name = uniqueName('drain');
    const victim = 1;
    const running = await sixReplicas(c, name);
    const others = running.filter((t) => t.nodeId !== c.node(victim).nodeId);
    await c.client.updateNode(c.node(victim).nodeId, { availability: 'drain' });
    const moved = await waitRunning(c, name, 6, { notOn: [victim] });
    await waitFor('no container of the service running on the drained node', async () => (await runningContainersOn(c, victim, name)).length === 0);
    for (const t of others) {
      const now = moved.find((m) => m.id === t.id);
      assert.ok(now, `task ${t.id} (slot ${t.slot}) kept running`);
      assert.equal(now.status.containerId, t.status.containerId, 'same container');
    }
    const engines = await runningInEngines(c, name);
    for (const t of others) assert.ok(engines.some((e) => e.containerId === t.status.containerId), `container of slot ${t.slot} still runs`);
    const node = await c.client.updateNode(c.node(victim).nodeId, { availability: 'active' });
    assert.equal(node.availability, 'active');
    await removeServiceEverywhere(c, name);
  });

  test('zone labels: spread preference balances zones, a constraint pins, max replicas per node leaves one pending', async () => {
    const zones = ['a', 'b', 'b'];
    for (const n of c.nodes) await c.client.updateNode(n.nodeId, { labelsAdd: { zone: zones[n.index] ?? 'b' } });
    const zoneOf = (nodeId: string | undefined) => zones[nodeIndexOf(c, nodeId)];
    try {
      const spread = uniqueName('zones');
      await c.client.createService({ name: spread, spec: webSpec({ replicas: 4, placement: { preferences: [{ spread: 'node.labels.zone' }] } }) });
      const spreadTasks = await waitRunning(c, spread, 4);
      assert.equal(spreadTasks.filter((t) => zoneOf(t.nodeId) === 'a').length, 2, 'zone a (1 node) gets half');
      assert.equal(spreadTasks.filter((t) => zoneOf(t.nodeId) === 'b').length, 2, 'zone b (2 nodes) gets half');

      const pinned = uniqueName('zone-b');
      await c.client.createService({ name: pinned, spec: webSpec({ replicas: 4, placement: { constraints: ['node.labels.zone==b'] } }) });
      const pinnedTasks = await waitRunning(c, pinned, 4);
      assert.ok(pinnedTasks.every((t) => zoneOf(t.nodeId) === 'b'), 'all on zone b');

      const capped = uniqueName('capped');
      await c.client.createService({ name: capped, spec: webSpec({ replicas: 4, placement: { maxReplicasPerNode: 1 } }) });
      await waitRunning(c, capped, 3);
      const pending = await waitFor('one pending task with a reason', async () => {
        const tasks = (await serviceTasks(c, capped)).filter((t) => t.desiredState === 'running' && t.status.state === 'pending');
        return tasks.length === 1 && tasks[0]?.status.pendingReason ? tasks[0] : undefined;
      });
      assert.match(pending.status.pendingReason ?? '', /max(imum)?[ -]replicas/i);
      await sleep(1000);
      assert.deepEqual(tasksPerNode(c, await runningTasks(c, capped)), [1, 1, 1]);
      for (const s of [spread, pinned, capped]) await removeServiceEverywhere(c, s);
    } finally {
      for (const n of c.nodes) await c.client.updateNode(n.nodeId, { labelsRemove: ['zone'] });
    }
  });
});
