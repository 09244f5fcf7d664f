import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LogLine } from '../src/api/agent-protocol.js';
import type { TaskObject } from '../src/api/objects.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../src/api/service-spec.js';
import { newId } from '../src/lib/ids.js';
import { ExecutorError, type Executor } from '../src/agent/exec/executor.js';

/**
 * One suite for every Executor (Docker, fake): the agent relies on exactly these behaviours.
 * `makeTask(kind)` returns a fresh task whose image, for that implementation, runs until
 * stopped ("run"), exits 3 at once after printing "crashing" ("crash"), or does not exist ("missing").
 */
export type ContractTaskKind = 'run' | 'crash' | 'missing';
export type MakeContractTask = (kind: ContractTaskKind, spec?: Partial<ServiceSpecInput>) => TaskObject;

/** A task as the manager would assign it, with every spec default filled in. */
export function makeTestTask(spec: ServiceSpecInput, fields: Partial<TaskObject> = {}): TaskObject {
  const now = new Date().toISOString();
  const id = newId();
  return {
    id,
    env: 'default',
    version: 1,
    createdAt: now,
    updatedAt: now,
    serviceId: `svc${id.slice(0, 8)}`,
    serviceName: 'contract',
    slot: 1,
    nodeId: 'node1',
    specVersion: 1,
    spec: serviceSpecSchema.parse(spec),
    desiredState: 'running',
    status: { state: 'assigned', message: 'assigned', timestamp: now },
    ...fields,
  };
}

export function executorContract(
  name: string,
  makeExecutor: () => Executor | Promise<Executor>,
  makeTask: MakeContractTask,
): void {
  void describe(`executor contract: ${name}`, () => {
    const created: Array<{ ex: Executor; id: string }> = [];
    const prepare = async (ex: Executor, task: TaskObject): Promise<string> => {
      const id = await ex.prepare(task, 'node1');
      created.push({ ex, id });
      return id;
    };

    after(async () => {
      for (const { ex, id } of created) await ex.remove(id).catch(() => undefined);
    });

    void test('prepare, start, inspect running', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const id = await prepare(ex, task);
      const before = await ex.inspect(id);
      assert.equal(before?.running, false);
      assert.equal(before?.startedAt, undefined, 'a created container has not started');
      await ex.start(id);
      const seen = await ex.inspect(id);
      assert.equal(seen?.containerId, id);
      assert.equal(seen?.taskId, task.id);
      assert.equal(seen?.running, true);
      assert.ok(seen?.startedAt);
    });

    void test('wait returns the exit code of a crashing image', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('crash'));
      await ex.start(id);
      const exit = await ex.wait(id);
      assert.equal(exit.exitCode, 3);
      const seen = await ex.inspect(id);
      assert.equal(seen?.running, false);
      assert.equal(seen?.exitCode, 3);
      assert.deepEqual(await ex.wait(id), exit, 'waiting on an exited container answers at once');
    });

    void test('a missing image is rejected', async () => {
      const ex = await makeExecutor();
      const task = makeTask('missing');
      await assert.rejects(ex.prepare(task, 'node1'), (err: unknown) => {
        assert.ok(err instanceof ExecutorError);
        assert.equal(err.kind, 'rejected');
        assert.match(err.message, /No such image/);
        return true;
      });
    });

    void test('shutdown stops within the grace period', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run'));
      await ex.start(id);
      const t0 = Date.now();
      await ex.shutdown(id, 'SIGTERM', 500);
      assert.ok(Date.now() - t0 < 4000, `shutdown took ${Date.now() - t0} ms`);
      assert.equal((await ex.inspect(id))?.running, false);
      await ex.shutdown(id, 'SIGTERM', 500);
    });

    void test('an aborted wait rejects and leaves the container running', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(id);
      const ac = new AbortController();
      const waiting = ex.wait(id, { signal: ac.signal });
      ac.abort();
      await assert.rejects(waiting);
      assert.equal((await ex.inspect(id))?.running, true);
    });

    void test('remove is idempotent', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(id);
      await ex.remove(id);
      await ex.remove(id);
      assert.equal(await ex.inspect(id), undefined);
      assert.ok(!(await ex.list()).some((c) => c.containerId === id));
    });

    void test('list includes created containers with their task ids', async () => {
      const ex = await makeExecutor();
      const a = makeTask('run', { stopSignal: 'SIGKILL' });
      const b = makeTask('crash');
      const idA = await prepare(ex, a);
      const idB = await prepare(ex, b);
      await ex.start(idA);
      await ex.start(idB);
      await ex.wait(idB);
      const listed = await ex.list();
      const seenA = listed.find((c) => c.containerId === idA);
      const seenB = listed.find((c) => c.containerId === idB);
      assert.equal(seenA?.taskId, a.id);
      assert.equal(seenA?.running, true);
      assert.equal(seenB?.taskId, b.id);
      assert.equal(seenB?.running, false);
      assert.equal(seenB?.exitCode, 3);
    });

    void test('preparing the same task twice returns its container', async () => {
      const ex = await makeExecutor();
      const task = makeTask('run', { stopSignal: 'SIGKILL' });
      const id = await prepare(ex, task);
      assert.equal(await ex.prepare(task, 'node1'), id);
    });

    void test('logs return lines; a followed stream ends when aborted', async () => {
      const ex = await makeExecutor();
      const id = await prepare(ex, makeTask('crash'));
      await ex.start(id);
      await ex.wait(id);
      const lines: LogLine[] = [];
      for await (const line of ex.logs(id, { follow: false })) lines.push(line);
      const crashing = lines.find((l) => l.text === 'crashing');
      assert.ok(crashing, `lines: ${JSON.stringify(lines)}`);
      assert.ok(!Number.isNaN(Date.parse(crashing.time)));

      const runId = await prepare(ex, makeTask('run', { stopSignal: 'SIGKILL' }));
      await ex.start(runId);
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 200);
      const t0 = Date.now();
      for await (const _line of ex.logs(runId, { follow: true, signal: ac.signal })) {
        // whatever the container prints; the point is that the loop ends on abort
      }
      assert.ok(Date.now() - t0 < 3000);
    });
  });
}
