import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import type { NodeObject, TaskObject } from '../src/api/objects.js';
import { startAgent, type RunningAgent } from '../src/agent/agent.js';
import { shoalLabels } from '../src/agent/exec/executor.js';
import { DockerExecutor } from '../src/agent/executor/docker/docker-executor.js';
import { ShoalClient } from '../src/client/shoal-client.js';
import { newId } from '../src/lib/ids.js';
import { createLogger } from '../src/lib/logger.js';
import { printedAdminPassword } from './harness/admin-client.js';
import { ManagerProcess } from './harness/manager-process.js';
import { webSpec } from './harness/service-specs.js';
import { sleep, waitFor } from './harness/wait.js';

/**
 * A real manager process and two agents on this host's Docker Engine: one joined with the
 * `default` worker token, one with `prod`'s. Both agents share the engine; each only ever
 * touches containers labelled with its own node id, and this run's label scopes the cleanup.
 */
const runLabel = 'io.shoal.test.run';
const runId = `iso-${newId(8)}`;
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const scratch = mkdtempSync(join(tmpdir(), 'shoal-iso-'));
const logger = createLogger('iso-test', process.env.SHOAL_TEST_LOG_LEVEL ?? 'silent');
const hosts = { default: `${runId}-dflt`, prod: `${runId}-prod` };

const m = new ManagerProcess(['--heartbeat-period', '300ms']);
const agents: RunningAgent[] = [];
let admin: ShoalClient;
let prod: ShoalClient;
const nodes: Record<'default' | 'prod', NodeObject | undefined> = { default: undefined, prod: undefined };

/** The administrator acting in another environment: the same session, another `?env=`. */
async function clientIn(env: string): Promise<ShoalClient> {
  const res = await fetch(`${m.url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: printedAdminPassword(m.stderr) }) });
  const { token } = (await res.json()) as { token: string };
  return new ShoalClient({ baseUrl: m.url, env, sessionToken: token });
}

async function joinAgent(name: string, token: string): Promise<void> {
  const executor = new DockerExecutor(docker, { scopeLabels: { [runLabel]: runId } });
  agents.push(await startAgent({ managerAddress: m.agentAddress, token, dataDir: join(scratch, name), executor, logger, hostname: name, statusBatchMs: 20 }));
}

const readyNode = (client: ShoalClient, hostname: string) => async () => {
  const n = (await client.listNodes()).find((x) => x.hostname === hostname);
  return n?.status.state === 'ready' ? n : undefined;
};

const liveTasks = async (client: ShoalClient, service: string): Promise<TaskObject[]> => (await client.listTasks({ service })).filter((t) => t.desiredState === 'running');

async function runningOn(client: ShoalClient, service: string, count: number): Promise<TaskObject[]> {
  return waitFor(`${count} running tasks of ${service} in ${client.env ?? 'default'}`, async () => {
    const live = await liveTasks(client, service);
    return live.length === count && live.every((t) => t.status.state === 'running') ? live : undefined;
  }, 60_000, 200);
}

before(async () => {
  await m.start();
  admin = m.client;
  await admin.createEnvironment({ name: 'prod' });
  prod = await clientIn('prod');
  const defaultToken = (await admin.showJoinToken('worker')).token;
  const prodToken = (await prod.showJoinToken('worker')).token;
  assert.notEqual(prodToken, defaultToken, 'prod has a worker token of its own');
  assert.equal(defaultToken, m.tokens().worker, 'default keeps the token printed at the first start');
  await joinAgent(hosts.default, defaultToken);
  await joinAgent(hosts.prod, prodToken);
  nodes.default = await waitFor('the default node ready', readyNode(admin, hosts.default));
  nodes.prod = await waitFor('the prod node ready', readyNode(prod, hosts.prod));
});

after(async () => {
  await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
  await m.destroy();
  const left = await docker.listContainers({ all: true, filters: { label: [`${runLabel}=${runId}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  rmSync(scratch, { recursive: true, force: true });
});

void describe('environment isolation on real agents and Docker', () => {
  test('a node belongs to the environment of its token and is invisible from the other', async () => {
    assert.equal(nodes.prod?.env, 'prod');
    assert.equal(nodes.default?.env, 'default');
    assert.deepEqual((await prod.listNodes()).map((n) => n.hostname), [hosts.prod]);
    assert.ok(!(await admin.listNodes()).some((n) => n.hostname === hosts.prod), 'default lists no prod node');
    for (const ref of [nodes.default?.id ?? '', hosts.default]) {
      await assert.rejects(prod.getNode(ref), /not found/, `prod cannot resolve ${ref}`);
      await assert.rejects(prod.listTasks({ node: ref }), /not found/);
    }
  });

  test('the same service name in both environments; each one\'s tasks run only on its own node', async () => {
    await admin.createService({ name: 'web', spec: webSpec({ replicas: 2 }) });
    await prod.createService({ name: 'web', spec: webSpec({ replicas: 2 }) });
    await prod.createService({ name: 'agent', spec: webSpec({ mode: 'global' }) });
    const dflt = await runningOn(admin, 'web', 2);
    const prodWeb = await runningOn(prod, 'web', 2);
    const prodGlobal = await runningOn(prod, 'agent', 1);
    assert.deepEqual(new Set(dflt.map((t) => t.nodeId)), new Set([nodes.default?.id]));
    assert.deepEqual(new Set([...prodWeb, ...prodGlobal].map((t) => t.nodeId)), new Set([nodes.prod?.id]), 'prod tasks, global ones included, only on the prod node');
    // What the engine holds agrees: each container carries its environment and the node that made it.
    const containers = await docker.listContainers({ filters: { label: [`${runLabel}=${runId}`] } });
    assert.equal(containers.length, 5);
    for (const c of containers) {
      const env = c.Labels[shoalLabels.env];
      assert.equal(c.Labels[shoalLabels.node], env === 'prod' ? nodes.prod?.id : nodes.default?.id, `container of ${env}`);
    }
    assert.deepEqual((await admin.listTasks()).filter((t) => t.serviceName === 'web').length, 2, 'default lists only its own tasks');
  });

  test('a prod service constrained to the default node stays pending and says why', async () => {
    await prod.createService({ name: 'pinned', spec: webSpec({ placement: { constraints: [`node.hostname==${hosts.default}`] } }) });
    const reason = `no suitable node (no node satisfies constraint node.hostname==${hosts.default})`;
    await waitFor('the pending reason', async () => (await liveTasks(prod, 'pinned'))[0]?.status.pendingReason === reason, 20_000);
    await sleep(1000);
    const [task] = await liveTasks(prod, 'pinned');
    assert.deepEqual([task?.status.state, task?.nodeId, task?.status.pendingReason], ['pending', undefined, reason]);
  });
});
