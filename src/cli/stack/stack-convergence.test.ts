import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RestartPolicy } from '../../api/service-spec.js';
import { makeService, makeTask, updateStatus } from '../test-fixtures.test.js';
import { assessStackService } from './stack-convergence.js';

const policy = (condition: RestartPolicy['condition']) => ({ condition, delayMs: 0, maxAttempts: 0, windowMs: 0 });
const base = { knownFailures: new Set<string>(), allowEmpty: false, operation: 'create' as const };

test('a long-running service converges when its replicas run', () => {
  const service = makeService({}, { image: 'web', replicas: 2 });
  assert.equal(assessStackService({ ...base, service, tasks: [makeTask(1, 'running'), makeTask(2, 'starting')] }).phase, 'converging');
  assert.equal(assessStackService({ ...base, service, tasks: [makeTask(1, 'running'), makeTask(2, 'running')] }).phase, 'converged');
});

test('a job (restart none) is done only when its tasks completed with exit 0', () => {
  const service = makeService({}, { image: 'migrate', replicas: 1, restartPolicy: policy('none') });
  const running = assessStackService({ ...base, service, tasks: [makeTask(1, 'running')] });
  assert.equal(running.phase, 'converging');
  assert.match(running.line, /waiting for it to finish/);
  const done = makeTask(1, 'complete', { status: { state: 'complete', message: '', timestamp: '', exitCode: 0 } });
  assert.equal(assessStackService({ ...base, service, tasks: [done] }).phase, 'completed');
});

test('on-failure: running or completed with exit 0 both count', () => {
  const service = makeService({}, { image: 'x', replicas: 2, restartPolicy: policy('on-failure') });
  const done = makeTask(1, 'complete', { status: { state: 'complete', message: '', timestamp: '', exitCode: 0 } });
  assert.equal(assessStackService({ ...base, service, tasks: [done, makeTask(2, 'running')] }).phase, 'converged');
});

test('a failed task of the new spec fails the service, naming the task; known failures do not', () => {
  const service = makeService({}, { image: 'migrate', replicas: 1, restartPolicy: policy('none') });
  const failed = makeTask(1, 'failed', { status: { state: 'failed', message: '', error: 'exit code 3', timestamp: '', exitCode: 3 } });
  const s = assessStackService({ ...base, service, tasks: [failed] });
  assert.equal(s.phase, 'failed');
  assert.match(s.message ?? '', /web\.1.*failed: exit code 3/);
  // A restarting service's failure also fails a stack wait, unless it was there before the deploy.
  const web = makeService({}, { image: 'web', replicas: 1 });
  assert.equal(assessStackService({ ...base, service: web, tasks: [failed] }).message, 'web.1: failed: exit code 3');
  assert.equal(assessStackService({ ...base, service: web, tasks: [failed], knownFailures: new Set([failed.id]) }).phase, 'converging');
});

test('a paused update fails the service; a paused update from before the deploy does not', () => {
  const paused = updateStatus('paused', { message: 'task web.1 failed' });
  const service = makeService({ updateStatus: paused }, { image: 'web', replicas: 1 });
  const tasks = [makeTask(1, 'running')];
  const s = assessStackService({ ...base, service, tasks, operation: 'update' });
  assert.equal(s.phase, 'failed');
  assert.match(s.message ?? '', /update paused/);
  assert.equal(assessStackService({ ...base, service, tasks, operation: 'scale', baseline: paused }).phase, 'converged');
});

test('a replica the scheduler cannot place shows why on its service line', () => {
  const service = makeService({}, { image: 'web', replicas: 2 });
  const reason = 'no suitable node (host port 8080/tcp in use on 1 node)';
  const pending = makeTask(2, 'pending', { status: { state: 'pending', message: 'pending', timestamp: '', pendingReason: reason } });
  const s = assessStackService({ ...base, service, tasks: [makeTask(1, 'running'), pending] });
  assert.equal(s.phase, 'converging');
  assert.ok(s.line.endsWith(`(1 pending: ${reason})`), s.line);
});

test('a service whose ports do not answer on every node yet is converging, saying where', () => {
  const ports = { nodes: 2, ready: 1, waiting: [{ nodeId: 'n2', hostname: 'node-2', reason: 'port 8080/tcp is not open yet' }] };
  const tasks = [makeTask(1, 'running'), makeTask(2, 'running')];
  for (const condition of ['any', 'on-failure'] as const) {
    const service = makeService({}, { image: 'web', replicas: 2, restartPolicy: policy(condition) });
    const state = assessStackService({ ...base, service, tasks, ports });
    assert.equal(state.phase, 'converging', condition);
    assert.match(state.line, /\(port 8080\/tcp is not open yet on node node-2\)$/);
    assert.equal(assessStackService({ ...base, service, tasks, ports: { nodes: 2, ready: 2, waiting: [] } }).phase, 'converged', condition);
  }
});
