import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TaskFilePayload, TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { createLogger } from '../../lib/logger.js';
import { makeTestTask } from '../../../test/executor-contract.js';
import { ExecutorError } from '../exec/executor.js';
import { FakeExecutor } from '../executor/fake/fake-executor.js';
import { TaskFileStore } from '../files/task-file-store.js';
import { Worker } from './worker.js';

const logger = createLogger('worker-test', 'silent');
const nodeId = 'n1';
const scratch = mkdtempSync(join(tmpdir(), 'shoal-worker-'));
after(() => rm(scratch, { recursive: true, force: true }));
let stores = 0;

function setup(
  executor = new FakeExecutor(),
  files = new TaskFileStore(join(scratch, `files-${++stores}`)),
): { worker: Worker; executor: FakeExecutor; batches: TaskStatusUpdate[][]; files: TaskFileStore } {
  const batches: TaskStatusUpdate[][] = [];
  const worker = new Worker({ executor, files, logger, report: (u) => batches.push(u), batchMs: 5 });
  worker.setNodeId(nodeId);
  return { worker, executor, batches, files };
}

const task = (spec: ServiceSpecInput, fields: Partial<TaskObject> = {}): TaskObject =>
  makeTestTask(spec, { nodeId, slot: Math.floor(Math.random() * 1e6), ...fields });

const states = (batches: TaskStatusUpdate[][], taskId: string): string[] =>
  batches.flat().filter((u) => u.taskId === taskId).map((u) => u.status.state);

/** Waits until `probe` gives something other than false or undefined, and returns it. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

void test('runs a task through every state and reports in batches', async () => {
  const { worker, batches } = setup();
  await worker.init();
  const t = task({ image: 'fake/app:1' });
  worker.apply({ full: true, tasks: [t], removed: [] });
  await until('running', () => states(batches, t.id).includes('running'));
  assert.deepEqual(states(batches, t.id), ['accepted', 'preparing', 'starting', 'running']);
  assert.equal(batches.length, 1, 'one burst, one batch');
  worker.apply({ full: false, tasks: [{ ...t, desiredState: 'shutdown' }], removed: [] });
  await until('shutdown', () => states(batches, t.id).includes('shutdown'));
  await worker.stop();
});

void test('exit codes, rejection, and tasks of other nodes', async () => {
  const { worker, batches, executor } = setup();
  await worker.init();
  const crash = task({ image: 'fake/crash:1' });
  const done = task({ image: 'fake/exit0:1' });
  const missing = task({ image: 'fake/missing:1' });
  const elsewhere = task({ image: 'fake/app:1' }, { nodeId: 'other' });
  worker.apply({ full: true, tasks: [crash, done, missing, elsewhere], removed: [] });
  await until('all ended', () => ['failed', 'complete', 'rejected'].every((s, i) => states(batches, [crash, done, missing][i]?.id ?? '').includes(s)));
  const failed = batches.flat().find((u) => u.taskId === crash.id && u.status.state === 'failed');
  assert.equal(failed?.status.exitCode, 3);
  assert.equal(failed?.status.message, 'task: non-zero exit (3)');
  const rejected = batches.flat().find((u) => u.taskId === missing.id && u.status.state === 'rejected');
  assert.equal(rejected?.status.message, 'No such image: fake/missing:1');
  assert.deepEqual(states(batches, elsewhere.id), []);
  assert.equal(executor.calls.start, 2, 'never restarted');
  await worker.stop();
});

void test('removed tasks are stopped, their containers removed and forgotten', async () => {
  const { worker, batches, executor } = setup();
  await worker.init();
  const a = task({ image: 'fake/app:1' });
  const b = task({ image: 'fake/app:1' });
  worker.apply({ full: true, tasks: [a, b], removed: [] });
  await until('running', () => states(batches, a.id).includes('running') && states(batches, b.id).includes('running'));
  worker.apply({ full: false, tasks: [], removed: [a.id] });
  worker.apply({ full: true, tasks: [], removed: [] });
  await until('gone', () => worker.observed().length === 0);
  assert.deepEqual(await executor.list(), []);
  await worker.stop();
});

void test('a new worker adopts running containers, reports exits and removes unclaimed ones', async () => {
  const executor = new FakeExecutor();
  const first = setup(executor);
  await first.worker.init();
  const keep = task({ image: 'fake/app:1' });
  const exited = task({ image: 'fake/app:1' });
  const stray = task({ image: 'fake/app:1' });
  first.worker.apply({ full: true, tasks: [keep, exited, stray], removed: [] });
  await until('running', () => [keep, exited, stray].every((t) => states(first.batches, t.id).includes('running')));
  await first.worker.stop();
  const ids = new Map((await executor.list()).map((c) => [c.taskId, c.containerId]));
  executor.crash(ids.get(exited.id) ?? '', 2);

  const second = setup(executor);
  await second.worker.init();
  const hello = new Map(second.worker.observed().map((u) => [u.taskId, u.status]));
  assert.equal(hello.get(keep.id)?.state, 'running');
  assert.equal(hello.get(exited.id)?.state, 'failed');
  assert.equal(hello.get(stray.id)?.state, 'running');

  const asRunning = (t: TaskObject): TaskObject => ({ ...t, status: { ...t.status, state: 'running', containerId: ids.get(t.id) ?? '' } });
  second.worker.apply({ full: true, tasks: [asRunning(keep), asRunning(exited)], removed: [] });
  await until('settled', () => states(second.batches, exited.id).includes('failed') && states(second.batches, keep.id).includes('running'));
  await until('stray removed', () => executor.calls.remove === 1);
  assert.equal(executor.calls.start, 3, 'adoption starts nothing');
  const remaining = await executor.list();
  assert.deepEqual(remaining.map((c) => c.taskId).sort(), [keep.id, exited.id].sort());
  assert.equal(remaining.find((c) => c.taskId === keep.id)?.running, true);
  await second.worker.stop();
});

void test('the stale container of a task the manager orphaned is stopped and removed', async () => {
  const executor = new FakeExecutor();
  const first = setup(executor);
  await first.worker.init();
  const t = task({ image: 'fake/app:1' });
  first.worker.apply({ full: true, tasks: [t], removed: [] });
  await until('running', () => states(first.batches, t.id).includes('running'));
  await first.worker.stop();

  const second = setup(executor);
  await second.worker.init();
  const orphaned: TaskObject = { ...t, status: { ...t.status, state: 'orphaned' } };
  second.worker.apply({ full: true, tasks: [orphaned], removed: [] });
  await until('stopped and removed', async () => executor.calls.shutdown === 1 && (await executor.list()).length === 0);
  assert.deepEqual(states(second.batches, t.id), [], 'no state after a terminal one');
  await second.worker.stop();
});

void test("another node's containers on the same engine are neither adopted nor removed", async () => {
  const executor = new FakeExecutor();
  const foreign = task({ image: 'fake/app:1' }, { nodeId: 'other-node' });
  const foreignId = await executor.prepare(foreign, 'other-node');
  await executor.start(foreignId);
  const { worker } = setup(executor);
  await worker.init(nodeId);
  assert.deepEqual(worker.observed(), []);
  worker.apply({ full: true, tasks: [], removed: [] });
  await worker.stop();
  assert.equal(executor.calls.remove, 0);
  assert.equal((await executor.inspect(foreignId))?.running, true);
});

const statuses = (batches: TaskStatusUpdate[][], taskId: string): TaskStatusUpdate['status'][] =>
  batches.flat().filter((u) => u.taskId === taskId).map((u) => u.status);

void test('health changes of a running task are reported as running updates', async () => {
  const { worker, batches, executor } = setup();
  await worker.init();
  const good = task({ image: 'fake/app:1', healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 30 } });
  const bad = task({ image: 'fake/app:1', healthcheck: { test: ['CMD-SHELL', 'exit 1'], intervalMs: 10, retries: 2 } });
  const plain = task({ image: 'fake/app:1' });
  worker.apply({ full: true, tasks: [good, bad, plain], removed: [] });
  await until('healthy and unhealthy', () =>
    statuses(batches, good.id).some((s) => s.health === 'healthy') && statuses(batches, bad.id).some((s) => s.health === 'unhealthy'),
  );
  const goodSeen = statuses(batches, good.id);
  assert.deepEqual(goodSeen.map((s) => s.state), ['accepted', 'preparing', 'starting', 'running', 'running']);
  assert.deepEqual(goodSeen.slice(3).map((s) => s.health), ['starting', 'healthy']);
  assert.equal(goodSeen[4]?.containerId, goodSeen[3]?.containerId);
  assert.deepEqual(statuses(batches, bad.id).slice(3).map((s) => [s.state, s.health, s.message]), [
    ['running', 'starting', 'started'],
    ['running', 'unhealthy', 'health: unhealthy'],
  ]);
  assert.equal(executor.calls.start, 3, 'an unhealthy container is reported, not restarted');
  assert.ok(statuses(batches, plain.id).every((s) => s.health === undefined));
  assert.equal(worker.observed().find((u) => u.taskId === bad.id)?.status.health, 'unhealthy', 'hello carries the health');

  const goodId = goodSeen[3]?.containerId ?? '';
  executor.setHealth(goodId, 'unhealthy');
  executor.setHealth(goodId, 'unhealthy');
  await until('unhealthy', () => statuses(batches, good.id).some((s) => s.health === 'unhealthy'));
  assert.equal(statuses(batches, good.id).filter((s) => s.health === 'unhealthy').length, 1, 'one report per change');
  await worker.stop();
});

void test('running reports carry the container addresses, also after a health change and on adoption', async () => {
  const executor = new FakeExecutor();
  const first = setup(executor);
  await first.worker.init();
  const t = task({ image: 'fake/app:1', healthcheck: { test: ['CMD-SHELL', 'true'], intervalMs: 20 } });
  first.worker.apply({ full: true, tasks: [t], removed: [] });
  await until('healthy', () => statuses(first.batches, t.id).some((s) => s.health === 'healthy'));
  const seen = statuses(first.batches, t.id);
  const containerId = seen[3]?.containerId ?? '';
  const expected = (await executor.inspect(containerId))?.addresses;
  assert.deepEqual(expected, [{ network: 'bridge', ip: '172.17.0.2' }]);
  assert.deepEqual(seen.map((s) => s.addresses), [undefined, undefined, undefined, expected, expected], 'running reports, and only they');
  await first.worker.stop();

  const second = setup(executor);
  await second.worker.init();
  assert.deepEqual(second.worker.observed().find((u) => u.taskId === t.id)?.status.addresses, expected, 'hello carries them');
  second.worker.apply({ full: true, tasks: [t], removed: [] });
  await until('adopted', () => statuses(second.batches, t.id).some((s) => s.message === 'started (adopted)'));
  assert.deepEqual(statuses(second.batches, t.id).find((s) => s.message === 'started (adopted)')?.addresses, expected);
  second.worker.apply({ full: false, tasks: [{ ...t, desiredState: 'shutdown' }], removed: [] });
  await until('shutdown', () => states(second.batches, t.id).includes('shutdown'));
  assert.equal(statuses(second.batches, t.id).find((s) => s.state === 'shutdown')?.addresses, undefined);
  await second.worker.stop();
});

const payload = (kind: TaskFilePayload['kind'], name: string, version: number, text: string): TaskFilePayload => ({
  kind,
  name,
  version,
  data: Buffer.from(text).toString('base64'),
});

void test('secret and config files are written from the payloads, mounted, and deleted with the container', async () => {
  const { worker, batches, executor, files } = setup();
  await worker.init();
  const t = task(
    { image: 'fake/app:1', secrets: [{ source: 'db', mode: 0o400 }, { source: 'api', target: '/etc/api.key' }], configs: [{ source: 'app', target: 'app.conf' }] },
    { fileVersions: { 'secret/db': 2, 'secret/api': 1, 'config/app': 7 } },
  );
  worker.apply({
    full: true,
    tasks: [t],
    removed: [],
    files: [payload('secret', 'db', 1, 'old'), payload('secret', 'db', 2, 'pw2'), payload('secret', 'api', 1, 'key'), payload('config', 'app', 7, 'port=80')],
  });
  const running = await until('running', () => statuses(batches, t.id).find((s) => s.state === 'running'));
  const id = running.containerId ?? '';
  const db = await executor.fileAt(id, '/run/secrets/db');
  assert.equal(db?.data.toString(), 'pw2', 'the pinned version, not another');
  assert.equal(db?.mode, 0o400);
  assert.equal((await executor.fileAt(id, '/etc/api.key'))?.data.toString(), 'key');
  assert.equal((await executor.fileAt(id, '/run/secrets/api')), undefined);
  const conf = await executor.fileAt(id, '/app.conf');
  assert.equal(conf?.data.toString(), 'port=80');
  assert.equal(conf?.mode, 0o444);
  assert.equal(((await stat(files.taskDir(t.id))).mode & 0o777), 0o700);

  worker.apply({ full: false, tasks: [{ ...t, desiredState: 'shutdown' }], removed: [] });
  await until('shutdown', () => states(batches, t.id).includes('shutdown'));
  assert.ok(await stat(files.taskDir(t.id)), 'files stay while the container exists');
  worker.apply({ full: false, tasks: [], removed: [t.id] });
  await until('files deleted', async () => !(await stat(files.taskDir(t.id)).catch(() => undefined)));
  await worker.stop();
});

void test('a task whose secret did not come with it is rejected, naming the secret only', async () => {
  const { worker, batches, executor, files } = setup();
  await worker.init();
  const t = task({ image: 'fake/app:1', secrets: [{ source: 'db' }] }, { fileVersions: { 'secret/db': 3 } });
  worker.apply({ full: true, tasks: [t], removed: [], files: [payload('secret', 'db', 2, 'not this one')] });
  const rejected = await until('rejected', () => statuses(batches, t.id).find((s) => s.state === 'rejected'));
  assert.equal(rejected.message, 'secret db (version 3): not sent to this node with the task');
  assert.equal(executor.calls.prepare, 0);
  assert.ok(!JSON.stringify(batches).includes(Buffer.from('not this one').toString('base64')));
  assert.deepEqual(await readdir(files.root).catch(() => []), []);
  await worker.stop();
});

void test('at start, files of tasks without a container are deleted, the others kept', async () => {
  const executor = new FakeExecutor();
  const files = new TaskFileStore(join(scratch, 'prune'));
  const kept = task({ image: 'fake/app:1' });
  await executor.prepare(kept, nodeId);
  await files.write(kept.id, [{ kind: 'secret', name: 'a', target: '/run/secrets/a', data: Buffer.from('x'), mode: 0o444 }]);
  await mkdir(join(files.root, 'stale-task'), { recursive: true });
  await writeFile(join(files.root, 'stale-task', 'secret-0'), 'old');
  const { worker } = setup(executor, files);
  await worker.init();
  assert.deepEqual(await readdir(files.root), [kept.id]);
  await worker.stop();
});

void test('a task adopting a kept container starts that container; the task that made it lets go of it', async () => {
  const { worker, batches, executor } = setup();
  await worker.init();
  const kept = task({ image: 'fake/app:1' });
  worker.apply({ full: true, tasks: [kept], removed: [] });
  const containerId = await until('running', () => statuses(batches, kept.id).find((s) => s.state === 'running')?.containerId);
  worker.apply({ full: false, tasks: [{ ...kept, desiredState: 'shutdown', keepContainer: true }], removed: [] });
  await until('shutdown', () => states(batches, kept.id).includes('shutdown'));
  assert.ok(await executor.inspect(containerId), 'a shut-down task keeps its container');

  const adopting = task({ image: 'fake/app:1' }, { slot: kept.slot, adoptContainerId: containerId, adoptFromTaskId: kept.id });
  const starts = executor.calls.start;
  worker.apply({ full: false, tasks: [adopting], removed: [] });
  const starting = await until('starting', () => statuses(batches, adopting.id).find((s) => s.state === 'starting'));
  assert.equal(starting.containerId, containerId);
  assert.equal(executor.calls.prepare, 1, 'no new container is created');
  assert.equal(executor.calls.start, starts + 1);
  assert.equal(worker.containerOf(adopting.id), containerId);

  // The old task leaves the assignments (the reaper deleted it): the container stays.
  worker.apply({ full: false, tasks: [], removed: [kept.id] });
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.ok(await executor.inspect(containerId), 'the adopted container is not removed with the old task');
  assert.equal(executor.calls.remove, 0);
  worker.apply({ full: false, tasks: [], removed: [adopting.id] });
  await until('removed with its new task', async () => !(await executor.inspect(containerId)));
  await worker.stop();
});

void test('a bind under an allowed host path that a link leads out of is rejected; one inside runs from its resolved path', async () => {
  const dir = join(scratch, 'confine');
  await mkdir(join(dir, 'data', 'pg'), { recursive: true });
  await mkdir(join(dir, 'secret'));
  await symlink(join(dir, 'secret'), join(dir, 'data', 'escape'));
  await symlink(join(dir, 'data', 'pg'), join(dir, 'data', 'alias'));
  const prepared: TaskObject[] = [];
  const executor = new (class extends FakeExecutor {
    override prepare(...args: Parameters<FakeExecutor['prepare']>): Promise<string> {
      prepared.push(args[0]);
      return super.prepare(...args);
    }
  })();
  const { worker, batches } = setup(executor);
  await worker.init();
  const data = await realpath(join(dir, 'data'));
  const escape = task({ image: 'fake/app:1', mounts: [{ type: 'bind', source: join(data, 'escape'), target: '/host' }] });
  const inside = task({ image: 'fake/app:1', mounts: [{ type: 'bind', source: join(data, 'alias'), target: '/data' }] });
  worker.apply({ full: true, tasks: [escape, inside], removed: [], hostPaths: [data] });
  await until('both decided', () => states(batches, escape.id).includes('rejected') && states(batches, inside.id).includes('running'));
  const rejected = batches.flat().find((u) => u.taskId === escape.id && u.status.state === 'rejected');
  assert.match(rejected?.status.message ?? '', /^mounts: bind source ".*\/escape" resolves to ".*\/secret", outside the allowed host path/);
  assert.deepEqual(prepared.map((t) => [t.id, t.spec.mounts[0]?.source]), [[inside.id, join(data, 'pg')]], 'the escaping task never reached the engine');
  await worker.stop();
});

void test('a container whose start failed but ran anyway (the engine died after passing the start on) is stopped once the task is given up', async () => {
  // What the chaos test found after a kill -9 of dockerd: the start answered with an error, the
  // task failed and was replaced, and its container ran beside the replacement in the same slot.
  class EngineDiesDuringStart extends FakeExecutor {
    override async start(containerId: string): Promise<void> {
      await super.start(containerId);
      throw new ExecutorError('failed', 'connection closed before the engine answered');
    }
  }
  const { worker, executor, batches } = setup(new EngineDiesDuringStart());
  await worker.init();
  const t = task({ image: 'fake/app:1' });
  worker.apply({ full: true, tasks: [t], removed: [] });
  await until('failed', () => states(batches, t.id).includes('failed'));
  assert.equal((await executor.list())[0]?.running, true, 'the container runs although its start failed');
  worker.apply({ full: false, tasks: [{ ...t, desiredState: 'shutdown', status: { ...t.status, state: 'failed' } }], removed: [] });
  await until('stopped', async () => (await executor.list())[0]?.running === false);
  assert.deepEqual(states(batches, t.id), ['accepted', 'preparing', 'starting', 'failed'], 'nothing reported after the failure');
  await worker.stop();
});
