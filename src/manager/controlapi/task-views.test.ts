import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { taskViews } from './tasks.js';

test('a task made before its service listed an env entry in secretEnv shows it hidden too', () => {
  const task = { id: 't1', serviceId: 's1', spec: { image: 'x', env: { CONN: 'postgres://u:p@db', LOG_LEVEL: 'debug', API_TOKEN: 't' } } } as unknown as TaskObject;
  const service = { id: 's1', spec: { image: 'x', env: { CONN: 'postgres://u:p@db', LOG_LEVEL: 'debug', API_TOKEN: 't' }, secretEnv: ['CONN'] } } as unknown as ServiceObject;
  const [view] = taskViews([task], [service]);
  assert.deepEqual(view?.spec.env, { CONN: '[redacted]', LOG_LEVEL: 'debug', API_TOKEN: '[redacted]' });
  assert.equal(task.spec.env.CONN, 'postgres://u:p@db', 'the stored task is not changed');
  const [alone] = taskViews([task], []);
  assert.deepEqual(alone?.spec.env, { CONN: 'postgres://u:p@db', LOG_LEVEL: 'debug', API_TOKEN: '[redacted]' });
});
