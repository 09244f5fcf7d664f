import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeService, makeTask, updateStatus } from '../test-fixtures.test.js';
import { assessConvergence } from './convergence.js';
import { portLines, summaryLine } from './render.js';

test('replicated: converged when as many current tasks run as replicas', () => {
  const service = makeService();
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'starting')];
  const c = assessConvergence({ service, tasks, operation: 'create' });
  assert.equal(c.phase, 'converging');
  assert.equal(c.running, 2);
  assert.equal(c.desired, 3);
  tasks[2] = makeTask(3, 'running');
  assert.equal(assessConvergence({ service, tasks, operation: 'create' }).phase, 'converged');
});

test('tasks of an old spec version or being shut down do not count', () => {
  const service = makeService({ specVersion: 2 });
  const tasks = [
    makeTask(1, 'running', { specVersion: 2 }),
    makeTask(2, 'running', { specVersion: 1 }),
    makeTask(3, 'running', { specVersion: 2, desiredState: 'shutdown' }),
  ];
  const c = assessConvergence({ service, tasks, operation: 'update' });
  assert.equal(c.running, 1);
  assert.equal(c.phase, 'converging');
});

test('an update in progress must complete', () => {
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'running')];
  const updating = makeService({ updateStatus: updateStatus('updating') });
  assert.equal(assessConvergence({ service: updating, tasks, operation: 'update' }).phase, 'converging');
  const done = makeService({ updateStatus: updateStatus('completed') });
  assert.equal(assessConvergence({ service: done, tasks, operation: 'update' }).phase, 'converged');
});

test('paused, rollback_paused and an automatic rollback fail an update', () => {
  const tasks = [makeTask(1, 'running')];
  for (const [state, message] of [
    ['paused', 'update paused: paused message'],
    ['rollback_paused', 'rollback paused: rollback_paused message'],
    ['rollback_completed', 'update rolled back: rollback_completed message'],
  ] as const) {
    const c = assessConvergence({ service: makeService({ updateStatus: updateStatus(state) }), tasks, operation: 'update' });
    assert.equal(c.phase, 'failed', state);
    assert.equal(c.message, message);
  }
});

test('rollback_completed is success for a rollback', () => {
  const service = makeService({ updateStatus: updateStatus('rollback_completed') });
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'running')];
  assert.equal(assessConvergence({ service, tasks, operation: 'rollback' }).phase, 'converged');
  const started = makeService({ updateStatus: updateStatus('rollback_started') });
  assert.equal(assessConvergence({ service: started, tasks, operation: 'rollback' }).phase, 'converging');
});

test('an older finished update (the baseline) is not this operation\'s outcome', () => {
  const paused = updateStatus('paused');
  const service = makeService({ updateStatus: paused });
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'running')];
  assert.equal(assessConvergence({ service, tasks, operation: 'scale', baseline: paused }).phase, 'converged');
  // A new update that started since is.
  const again = makeService({ updateStatus: updateStatus('paused', { startedAt: '2024-01-02T00:00:00.000Z' }) });
  assert.equal(assessConvergence({ service: again, tasks, operation: 'scale', baseline: paused }).phase, 'failed');
});

test('global: every task that should run runs; none yet is not converged at first', () => {
  const service = makeService({}, { image: 'x', mode: 'global' });
  const tasks = [makeTask(undefined, 'running', { nodeId: 'a' }), makeTask(undefined, 'preparing', { nodeId: 'b' })];
  const c = assessConvergence({ service, tasks, operation: 'create' });
  assert.deepEqual([c.running, c.desired, c.phase], [1, 2, 'converging']);
  assert.equal(assessConvergence({ service, tasks: [], operation: 'create' }).phase, 'converging');
  assert.equal(assessConvergence({ service, tasks: [], operation: 'create', allowEmpty: true }).phase, 'converged');
});

test('scaled to zero converges when nothing should run', () => {
  const service = makeService({}, { image: 'x', replicas: 0 });
  const tasks = [makeTask(1, 'running', { desiredState: 'shutdown' })];
  assert.equal(assessConvergence({ service, tasks, operation: 'scale' }).phase, 'converged');
});

test('pending reasons are grouped and failed tasks reported', () => {
  const service = makeService();
  const reason = 'no suitable node (1 node not available for new tasks)';
  const pending = (slot: number) =>
    makeTask(slot, 'pending', { status: { state: 'pending', message: 'pending', timestamp: '', pendingReason: reason } });
  const rejected = makeTask(3, 'rejected', {
    desiredState: 'shutdown',
    status: { state: 'rejected', message: 'rejected', error: 'No such image: ngnx', timestamp: '' },
  });
  const c = assessConvergence({ service, tasks: [pending(1), pending(2), makeTask(3, 'new'), rejected], operation: 'create' });
  assert.equal(c.pending.count, 3);
  assert.deepEqual(c.pending.reasons[0], { reason, count: 2 });
  assert.deepEqual(c.failedTasks.map((t) => t.id), [rejected.id]);
});

test('a manager message that already says "update paused" is not repeated', () => {
  const service = makeService({ updateStatus: updateStatus('paused', { message: 'update paused: task web.1 rejected' }) });
  const c = assessConvergence({ service, tasks: [], operation: 'update' });
  assert.equal(c.message, 'update paused: task web.1 rejected');
});

test('one-shot: completed tasks the policy keeps ended count as done', () => {
  const service = makeService({}, { image: 'migrate', replicas: 2, restartPolicy: { condition: 'none' } });
  const tasks = [makeTask(1, 'complete'), makeTask(2, 'starting')];
  const c = assessConvergence({ service, tasks, operation: 'create' });
  assert.equal(c.completed, 1);
  assert.equal(c.phase, 'converging');
  tasks[1] = makeTask(2, 'complete');
  assert.equal(assessConvergence({ service, tasks, operation: 'create' }).phase, 'converged');
  // A completed task already told to stop (replaced by a restart) is not the slot's result.
  const restarted = [makeTask(1, 'complete', { desiredState: 'shutdown' }), makeTask(2, 'complete')];
  assert.equal(assessConvergence({ service, tasks: restarted, operation: 'create' }).phase, 'converging');
});

test('one-shot: a failure the restart policy will not restart fails the wait, naming the task', () => {
  const none = makeService({}, { image: 'migrate', replicas: 1, restartPolicy: { condition: 'none' } });
  const failed = makeTask(1, 'failed', { status: { state: 'failed', message: 'failed', error: 'exit code 3', timestamp: '2024-01-01T00:00:00.000Z' } });
  const c = assessConvergence({ service: none, tasks: [failed], operation: 'create' });
  assert.equal(c.phase, 'failed');
  assert.equal(c.message, 'task web.1 failed: exit code 3, and restart policy none does not restart it');
  // With attempts left, a failure is only a step towards the restart.
  const onFailure = makeService({}, { image: 'migrate', replicas: 1, restartPolicy: { condition: 'on-failure', maxAttempts: 2 } });
  assert.equal(assessConvergence({ service: onFailure, tasks: [failed], operation: 'create' }).phase, 'converging');
  const usedUp = { ...failed, restartHistory: ['2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z'] };
  const c2 = assessConvergence({ service: onFailure, tasks: [usedUp], operation: 'create' });
  assert.equal(c2.phase, 'failed');
  assert.match(c2.message ?? '', /no restart attempts left \(2\)/);
});

test('running tasks with ingress ports converge only once the ports answer on every node', () => {
  const service = makeService();
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'running')];
  const waiting = { nodes: 2, ready: 1, waiting: [{ nodeId: 'n2', hostname: 'node-2', reason: 'port 8080/tcp routes to 2 of 3 running tasks' }] };
  const c = assessConvergence({ service, tasks, operation: 'create', ports: waiting });
  assert.equal(c.phase, 'converging');
  assert.deepEqual(c.portsWaiting, waiting);
  assert.equal(summaryLine(service, c), 'web: 3/3 running  [###]  ports answer on 1/2 nodes');
  assert.deepEqual(portLines(c), ['port 8080/tcp routes to 2 of 3 running tasks on node node-2']);
  const answered = assessConvergence({ service, tasks, operation: 'create', ports: { nodes: 2, ready: 2, waiting: [] } });
  assert.equal(answered.phase, 'converged');
  assert.equal(answered.portsWaiting, undefined);
  // No node runs the ingress (simulated agents): nothing to wait for.
  assert.equal(assessConvergence({ service, tasks, operation: 'create', ports: { nodes: 0, ready: 0, waiting: [] } }).phase, 'converged');
});

test('a port a node cannot bind fails the wait once the tasks run, naming the node', () => {
  const service = makeService();
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running'), makeTask(3, 'running')];
  const ports = { nodes: 1, ready: 0, waiting: [{ nodeId: 'n1', hostname: 'node-1', reason: 'port 8080/tcp: cannot bind 0.0.0.0:8080/tcp for service web: EADDRINUSE', failed: true }] };
  const c = assessConvergence({ service, tasks, operation: 'create', ports });
  assert.equal(c.phase, 'failed');
  assert.equal(c.message, 'port 8080/tcp: cannot bind 0.0.0.0:8080/tcp for service web: EADDRINUSE on node node-1');
  // While tasks still start, it is only a reason shown.
  assert.equal(assessConvergence({ service, tasks: tasks.slice(0, 2), operation: 'create', ports }).phase, 'converging');
});
