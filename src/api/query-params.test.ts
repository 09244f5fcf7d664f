import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from './errors.js';
import { parseQuery, queryParam } from './query-params.js';

const shape = { force: queryParam.bool(), tail: queryParam.int(0, 100), kind: queryParam.oneOf(['service', 'task']), name: queryParam.text(5) };

const refusal = (query: Record<string, string>): [string | undefined, string] => {
  try {
    parseQuery(shape, query);
  } catch (err) {
    assert.ok(err instanceof ShoalError && err.code === 'invalid_argument');
    return [err.field, err.message];
  }
  assert.fail(`${JSON.stringify(query)} was accepted`);
};

test('query values are read typed; empty and absent ones are absent; env is every route\'s', () => {
  assert.deepEqual(parseQuery(shape, { force: 'true', tail: '7', kind: 'task', name: 'web', env: 'dev' }), { force: true, tail: 7, kind: 'task', name: 'web' });
  assert.deepEqual(parseQuery(shape, { force: '0', tail: '', kind: '' }), { force: false, tail: undefined, kind: undefined });
  assert.deepEqual(parseQuery({}, { env: 'dev' }), {});
});

test('an unknown name, an unknown choice, a number out of bounds and a long text are refused, naming the parameter', () => {
  assert.deepEqual(refusal({ knd: 'task' }), ['knd', 'knd: is not a query parameter of this route (it takes force, tail, kind, name besides env)']);
  assert.deepEqual(refusal({ kind: 'bogus' }), ['kind', 'kind: must be one of service, task']);
  assert.deepEqual(refusal({ tail: '101' }), ['tail', 'tail: must be at most 100']);
  assert.deepEqual(refusal({ tail: '-1' }), ['tail', 'tail: must be a whole number']);
  assert.deepEqual(refusal({ tail: '99999999999999999999' }), ['tail', 'tail: must be a whole number']);
  assert.deepEqual(refusal({ force: 'yes' }), ['force', 'force: must be true or false']);
  assert.deepEqual(refusal({ name: 'toolong' }), ['name', 'name: must be at most 5 characters']);
  assert.throws(() => parseQuery({}, { since: '3' }), (err: unknown) => err instanceof ShoalError && err.field === 'since' && /it takes none/.test(err.message));
});
