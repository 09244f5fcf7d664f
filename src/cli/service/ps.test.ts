import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskObject } from '../../api/objects.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import { taskRows } from './ps.js';

const now = Date.parse('2026-12-01T12:00:10Z');
const task = (id: string, slot: number, status: Partial<TaskObject['status']>, createdAt = '2026-12-01T12:00:00.000Z'): TaskObject => ({
  id,
  env: 'default',
  version: 1,
  createdAt,
  updatedAt: createdAt,
  serviceId: 's1',
  serviceName: 'db',
  slot,
  specVersion: 1,
  spec: serviceSpecSchema.parse({ image: 'shoal-test/busybox:1' }),
  desiredState: 'running',
  status: { state: 'running', message: '', timestamp: '2026-12-01T12:00:00.000Z', ...status },
});

test('ps shows the health of running tasks, and none for ended ones', () => {
  const rows = taskRows(
    [task('t1', 1, { health: 'healthy' }), task('t2', 2, { health: 'starting' }), task('t3', 3, { state: 'failed', health: 'unhealthy', exitCode: 1 }), task('t4', 4, {})],
    new Map(),
    { trunc: false, now },
  );
  const current = rows.map((r) => r[5]);
  assert.match(current[0] ?? '', /^Running \(healthy\) /);
  assert.match(current[1] ?? '', /^Running \(starting\) /);
  assert.match(current[2] ?? '', /^Failed \d/);
  assert.match(current[3] ?? '', /^Running \d/);
});
