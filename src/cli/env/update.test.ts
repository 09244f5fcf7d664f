import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { quotasFromFlags } from './update.js';

test('env update: each flag sets its quota; none, zero or a non-number is one readable refusal naming the flag', () => {
  assert.deepEqual(quotasFromFlags({ maxReplicas: '2000', maxTasks: '9000' }), { maxReplicasPerService: 2000, maxTasks: 9000 });
  assert.deepEqual(quotasFromFlags({ maxServices: '7' }), { maxServices: 7 });
  const refusal = (flags: Parameters<typeof quotasFromFlags>[0]): string => {
    try {
      quotasFromFlags(flags);
    } catch (err) {
      assert.ok(err instanceof ShoalError);
      return err.message;
    }
    return assert.fail('accepted');
  };
  assert.match(refusal({}), /give --max-replicas, --max-services or --max-tasks/);
  assert.match(refusal({ maxReplicas: '0' }), /^--max-replicas "0": .*at least 1/);
  assert.match(refusal({ maxTasks: 'many' }), /^--max-tasks "many"/);
});
