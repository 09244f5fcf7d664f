import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeService, makeTask, updateStatus } from '../test-fixtures.test.js';
import { assessConvergence } from './convergence.js';
import { bar, pendingLines, slotLines, summaryLine, taskErrorLine } from './render.js';

test('summary, bar and pending lines', () => {
  const service = makeService({ updateStatus: updateStatus('updating', { message: 'batch 1/3' }) });
  const tasks = [
    makeTask(1, 'running'),
    makeTask(2, 'pending', { status: { state: 'pending', message: '', timestamp: '', pendingReason: 'no suitable node' } }),
  ];
  const c = assessConvergence({ service, tasks, operation: 'update' });
  assert.equal(summaryLine(service, c), 'web: 1/3 running  [#--]  updating: batch 1/3');
  assert.deepEqual(pendingLines(c), ['1/3 pending: no suitable node']);
  assert.equal(bar(3, 5), '###--');
  assert.equal(bar(50, 100), '#'.repeat(10) + '-'.repeat(10));
  const lines = slotLines(service, tasks, c, Date.parse('2024-01-01T00:00:05.000Z'));
  assert.equal(lines.length, 3);
  assert.match(lines[0] ?? '', /web\.1 {2}running 5 seconds ago/);
  assert.match(lines[1] ?? '', /web\.2 {2}pending: no suitable node/);
  assert.match(lines[2] ?? '', /web\.3 {2}new/);
});

test('task error line', () => {
  const t = makeTask(2, 'rejected', { status: { state: 'rejected', message: '', error: 'No such image: ngnx', timestamp: '' } });
  assert.equal(taskErrorLine(t), 'web.2: rejected: No such image: ngnx');
});

test('summary shows completed one-shot tasks as done', () => {
  const service = makeService({}, { image: 'migrate', replicas: 2, restartPolicy: { condition: 'none' } });
  const c = assessConvergence({ service, tasks: [makeTask(1, 'complete'), makeTask(2, 'running')], operation: 'create' });
  assert.equal(summaryLine(service, c), 'web: 1/2 running, 1 completed  [##]');
});
