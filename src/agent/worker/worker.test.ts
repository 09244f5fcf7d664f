import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskStatusUpdate } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import type { ServiceSpecInput } from '../../api/service-spec.js';
import { createLogger } from '../../lib/logger.js';
import { makeTestTask } from '../../../test/executor-contract.js';
import { FakeExecutor } from '../executor/fake/fake-executor.js';
import { Worker } from './worker.js';

const logger = createLogger('worker-test', 'silent');
const nodeId = 'n1';

function setup(executor = new FakeExecutor()): { worker: Worker; executor: FakeExecutor; batches: TaskStatusUpdate[][] } {
  const batches: TaskStatusUpdate[][] = [];
  const worker = new Worker({ executor, logger, report: (u) => batches.push(u), batchMs: 5 });
  worker.setNodeId(nodeId);
  return { worker, executor, batches };
}

const task = (spec: ServiceSpecInput, fields: Partial<TaskObject> = {}): TaskObject =>
  makeTestTask(spec, { nodeId, slot: Math.floor(Math.random() * 1e6), ...fields });

const states = (batches: TaskStatusUpdate[][], taskId: string): string[] =>
  batches.flat().filter((u) => u.taskId === taskId).map((u) => u.status.state);

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
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
