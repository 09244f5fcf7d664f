import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Dockerode from 'dockerode';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentMessage, ManagerMessage, TaskStatusUpdate } from '../src/api/agent-protocol.js';
import type { TaskObject } from '../src/api/objects.js';
import type { ServiceSpecInput } from '../src/api/service-spec.js';
import { newId } from '../src/lib/ids.js';
import { createLogger } from '../src/lib/logger.js';
import { startAgent, type RunningAgent } from '../src/agent/agent.js';
import { shoalLabels } from '../src/agent/exec/executor.js';
import { chooseFilesRoot } from '../src/agent/files/files-root.js';
import { DockerExecutor } from '../src/agent/executor/docker/docker-executor.js';
import { identityFromPems, writeIdentity } from '../src/agent/join/identity-files.js';
import { generateKeyPair, privateKeyToPem } from '../src/lib/pki/keys.js';
import { issueCertificate } from '../src/manager/ca/issue-certificate.js';
import { createRootCa } from '../src/manager/ca/root-ca.js';
import { makeTestTask } from './executor-contract.js';

/** Only containers with this run's label are ever touched (adopted, removed, cleaned up). */
const runLabel = 'io.shoal.test.run';
const runId = `ag-${newId(10)}`;
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const executor = (): DockerExecutor => new DockerExecutor(docker, { scopeLabels: { [runLabel]: runId } });
const nodeId = `node${newId(8)}`;
const serviceName = `ag${runId.slice(3)}`;
const logger = createLogger('agent-test', process.env.SHOAL_TEST_LOG_LEVEL ?? 'silent');

/**
 * Just enough of a manager: welcomes, records what the agent sends, sends what a test asks. It
 * speaks mutual TLS with a throwaway CA that also issued the agent's identity beforehand, so
 * the agent starts as an already joined node.
 */
class FakeManager {
  readonly received: AgentMessage[] = [];
  socket: WebSocket | undefined;
  private wss!: WebSocketServer;
  private server!: Server;

  async init(caDir: string, agentDataDir: string): Promise<void> {
    const ca = await createRootCa(caDir);
    const serverKeys = await generateKeyPair();
    const serverCert = await issueCertificate(ca, { publicKey: serverKeys.publicKey, nodeId: 'fakemanager', role: 'manager', lifetimeMs: 3_600_000 });
    const agentKeys = await generateKeyPair();
    const agentCert = await issueCertificate(ca, { publicKey: agentKeys.publicKey, nodeId, role: 'worker', lifetimeMs: 3_600_000 });
    await writeIdentity(agentDataDir, identityFromPems(await privateKeyToPem(agentKeys.privateKey), agentCert.certificatePem, ca.certificatePem));
    this.server = createHttpsServer({ key: await privateKeyToPem(serverKeys.privateKey), cert: serverCert.certificatePem, ca: [ca.certificatePem], requestCert: true, rejectUnauthorized: true });
    this.wss = new WebSocketServer({ server: this.server, path: '/v1/agent/session' });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.wss.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const msg = JSON.parse((data as Buffer).toString('utf8')) as AgentMessage;
        this.received.push(msg);
        if (msg.type === 'hello') this.send({ type: 'welcome', nodeId, heartbeatPeriodMs: 100 });
      });
    });
  }

  address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  send(msg: ManagerMessage): void {
    assert.ok(this.socket, 'no agent connected');
    this.socket.send(JSON.stringify(msg));
  }

  hellos(): Array<Extract<AgentMessage, { type: 'hello' }>> {
    return this.received.filter((m): m is Extract<AgentMessage, { type: 'hello' }> => m.type === 'hello');
  }

  updates(taskId: string): TaskStatusUpdate['status'][] {
    return this.received.flatMap((m) => (m.type === 'status' ? m.updates : [])).filter((u) => u.taskId === taskId).map((u) => u.status);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const task = (spec: ServiceSpecInput, fields: Partial<TaskObject> = {}): TaskObject =>
  makeTestTask(spec, { serviceName, nodeId, slot: Math.floor(Math.random() * 1e6), ...fields });

const inspect = async (id: string): Promise<Dockerode.ContainerInspectInfo | undefined> =>
  docker.getContainer(id).inspect().catch(() => undefined);

void describe('agent with the Docker executor', () => {
  const manager = new FakeManager();
  let managerAddress = '';
  let dataDir = '';
  let caDir = '';
  let agent: RunningAgent | undefined;
  const assigned: TaskObject[] = [];
  const start = async (): Promise<RunningAgent> =>
    startAgent({ managerAddress, dataDir, executor: executor(), logger, statusBatchMs: 20 });
  const stateOf = (taskId: string, state: string) => (): TaskStatusUpdate['status'] | undefined =>
    manager.updates(taskId).find((s) => s.state === state);
  const assign = (full: boolean, tasks: TaskObject[], removed: string[] = []): void =>
    manager.send({ type: 'assignments', full, tasks, removed });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shoal-agent-'));
    caDir = await mkdtemp(join(tmpdir(), 'shoal-agent-ca-'));
    await manager.init(caDir, dataDir);
    managerAddress = manager.address();
  });

  after(async () => {
    await agent?.stop();
    await manager.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`${runLabel}=${runId}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    const { root } = await chooseFilesRoot(dataDir, nodeId);
    await rm(dirname(root), { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    await rm(caDir, { recursive: true, force: true });
  });

  void test('connects with its certificate, keeps the node id and runs an assigned task', async () => {
    agent = await start();
    const hello = await until('hello', () => manager.hellos()[0]);
    assert.equal((hello as Record<string, unknown>).token, undefined, 'no credential in messages: the certificate says who the node is');
    assert.ok(hello.resources.nanoCpus > 0);
    await until('node id', () => agent?.nodeId() === nodeId);
    assert.equal((await until('node-id file', () => readFile(join(dataDir, 'node-id'), 'utf8').catch(() => undefined))).trim(), nodeId);
    await until('heartbeat', () => manager.received.some((m) => m.type === 'heartbeat'));

    const t = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' });
    assigned.push(t);
    assign(true, [t]);
    const running = await until('running', stateOf(t.id, 'running'));
    assert.deepEqual(manager.updates(t.id).map((s) => s.state), ['accepted', 'preparing', 'starting', 'running']);
    assert.ok(running.containerId);
    const info = await inspect(running.containerId);
    assert.equal(info?.State.Running, true);
    assert.equal(info?.Config.Labels?.[shoalLabels.taskId], t.id);
    assert.equal(info?.Config.Labels?.[shoalLabels.node], nodeId);
    assert.equal(info?.Config.Labels?.[shoalLabels.serviceName], serviceName);

    assign(false, [{ ...t, desiredState: 'shutdown' }]);
    const shutdown = await until('shutdown', stateOf(t.id, 'shutdown'));
    assert.equal(shutdown.containerId, running.containerId);
    assert.equal((await inspect(running.containerId))?.State.Running, false);
  });

  void test('a crashing image fails with its exit code; its logs stream back', async () => {
    const t = task({ image: 'shoal-test/busybox:crash' });
    assign(false, [t]);
    const failed = await until('failed', stateOf(t.id, 'failed'));
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.message, 'task: non-zero exit (3)');

    manager.send({ type: 'logs.request', requestId: 'r1', taskId: t.id, follow: false });
    await until('logs.end', () => manager.received.some((m) => m.type === 'logs.end' && m.requestId === 'r1'));
    const lines = manager.received.flatMap((m) => (m.type === 'logs.chunk' && m.requestId === 'r1' ? m.lines : []));
    assert.deepEqual(lines.map((l) => l.text), ['crashing']);
    manager.send({ type: 'logs.request', requestId: 'r2', taskId: 'nope', follow: false });
    const end = await until('logs.end r2', () => manager.received.find((m) => m.type === 'logs.end' && m.requestId === 'r2'));
    assert.match((end as { error?: string }).error ?? '', /no container/);
  });

  void test('a missing image is rejected with the engine message', async () => {
    const t = task({ image: 'shoal-test/missing:nope' });
    assign(false, [t]);
    const rejected = await until('rejected', stateOf(t.id, 'rejected'));
    assert.match(rejected.message, /No such image: shoal-test\/missing:nope/);
    assert.equal(rejected.error, rejected.message);
  });

  void test('a desired shutdown before start never starts the container', async () => {
    const t = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' }, { desiredState: 'shutdown' });
    assign(false, [t]);
    await until('shutdown', stateOf(t.id, 'shutdown'));
    assert.ok(!manager.updates(t.id).some((s) => s.state === 'running'));
  });

  void test('secret files and health: mounted read-only, health reported while running, files gone with the container', async () => {
    const secret = `pw-${newId(12)}`;
    const t = task(
      {
        image: 'shoal-test/busybox:1',
        stopSignal: 'SIGKILL',
        secrets: [{ source: 'db', mode: 0o400 }],
        configs: [{ source: 'app', target: '/etc/app.conf' }],
        healthcheck: { test: ['CMD-SHELL', 'test -s /run/secrets/db'], intervalMs: 300, timeoutMs: 2000, retries: 1 },
      },
      { fileVersions: { 'secret/db': 1, 'config/app': 2 } },
    );
    const sick = task(
      { image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL', healthcheck: { test: ['CMD-SHELL', 'exit 1'], intervalMs: 300, retries: 1 } },
    );
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    manager.send({
      type: 'assignments',
      full: false,
      tasks: [t, sick],
      removed: [],
      files: [
        { kind: 'secret', name: 'db', version: 1, data: b64(secret) },
        { kind: 'config', name: 'app', version: 2, data: b64('port = 80\n') },
      ],
    });
    const running = await until('running', stateOf(t.id, 'running'));
    assert.equal(running.health, 'starting');
    const healthy = await until('healthy', () => manager.updates(t.id).find((s) => s.health === 'healthy'));
    assert.equal(healthy.state, 'running');
    assert.equal(healthy.containerId, running.containerId);
    const unhealthy = await until('unhealthy', () => manager.updates(sick.id).find((s) => s.health === 'unhealthy'));
    assert.equal(unhealthy.state, 'running', 'reported, not restarted by the agent');
    assert.equal((await inspect(unhealthy.containerId ?? ''))?.State.Running, true);

    const containerId = running.containerId ?? '';
    const info = await inspect(containerId);
    const binds = (info?.Mounts ?? []).filter((m) => m.Destination === '/run/secrets/db' || m.Destination === '/etc/app.conf');
    assert.equal(binds.length, 2);
    assert.ok(binds.every((m) => m.RW === false));
    const { root } = await chooseFilesRoot(dataDir, nodeId);
    const source = binds.find((m) => m.Destination === '/run/secrets/db')?.Source ?? '';
    assert.ok(source.startsWith(join(root, t.id)), `${source} is under ${root}`);
    assert.equal(await readFile(source, 'utf8'), secret);
    assert.equal((await stat(source)).mode & 0o777, 0o400);
    assert.ok(!JSON.stringify(manager.updates(t.id)).includes(secret), 'no status carries the content');

    assign(false, [], [t.id, sick.id]);
    await until('container removed', async () => (await inspect(containerId)) === undefined);
    await until('files deleted', async () => (await stat(join(root, t.id)).catch(() => undefined)) === undefined);
  });

  void test('reconnects after the session drops and resends every status in hello', async () => {
    const t = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' });
    assigned.push(t);
    assign(false, [t]);
    const running = await until('running', stateOf(t.id, 'running'));
    const hellos = manager.hellos().length;
    manager.socket?.terminate();
    const hello = await until('second hello', () => manager.hellos()[hellos]);
    assert.equal(agent?.nodeId(), nodeId);
    const seen = hello.tasks.find((u) => u.taskId === t.id);
    assert.equal(seen?.status.state, 'running');
    assert.equal(seen?.status.containerId, running.containerId);
    assert.equal((await inspect(running.containerId ?? ''))?.State.Running, true, 'containers keep running');
  });

  void test('a restarted agent adopts its running container and removes unclaimed ones', async () => {
    const t = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' });
    assign(false, [t]);
    const running = await until('running', stateOf(t.id, 'running'));
    const containerId = running.containerId ?? '';
    const startedAt = (await inspect(containerId))?.State.StartedAt;

    const stray = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' });
    const strayId = await executor().prepare(stray, nodeId);
    await docker.getContainer(strayId).start();
    const foreign = task({ image: 'shoal-test/busybox:1', stopSignal: 'SIGKILL' }, { nodeId: 'someothernode' });
    const foreignId = await executor().prepare(foreign, 'someothernode');

    await agent?.stop();
    agent = undefined;
    assert.equal((await inspect(containerId))?.State.Running, true, 'stop() leaves containers running');

    const hellos = manager.hellos().length;
    manager.received.length = 0;
    agent = await start();
    const hello = await until('hello after restart', () => manager.hellos()[0]);
    assert.ok(hellos > 0);
    assert.equal(agent.nodeId(), nodeId);
    assert.equal(hello.tasks.find((u) => u.taskId === t.id)?.status.state, 'running');
    assert.equal(hello.tasks.find((u) => u.taskId === stray.id)?.status.state, 'running');

    await until('welcome processed', () => agent?.nodeId() === nodeId);
    assign(true, [{ ...t, status: running }]);
    const adopted = await until('adopted running', stateOf(t.id, 'running'));
    assert.equal(adopted.containerId, containerId);
    assert.equal((await inspect(containerId))?.State.StartedAt, startedAt, 'not restarted');
    await until('stray removed', async () => (await inspect(strayId)) === undefined);
    assert.ok(await inspect(foreignId), "another node's container is left alone");
    assert.equal(hello.tasks.find((u) => u.taskId === foreign.id), undefined);
    for (const old of assigned) {
      const id = manager.hellos()[0]?.tasks.find((u) => u.taskId === old.id)?.status.containerId;
      if (id) await until(`unassigned ${old.id} removed`, async () => (await inspect(id)) === undefined);
    }

    assign(false, [], [t.id]);
    await until('removed task container gone', async () => (await inspect(containerId)) === undefined);
  });
});
