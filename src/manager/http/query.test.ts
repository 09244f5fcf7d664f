import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { singleValuedQuery } from './query.js';

test('a query parameter given twice is refused naming it; single values pass through', () => {
  assert.deepEqual(singleValuedQuery({ name: 'web', since: '3' }), { name: 'web', since: '3' });
  assert.deepEqual(singleValuedQuery(undefined), {});
  assert.throws(
    () => singleValuedQuery({ name: ['a', 'b'] }),
    (err: unknown) => err instanceof ShoalError && err.code === 'invalid_argument' && err.field === 'name' && /2 times/.test(err.message),
  );
});
