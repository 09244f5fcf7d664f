import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { LoginThrottle } from './login-throttle.js';

const refused = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ShoalError);
    assert.equal(err.code, 'resource_exhausted');
    return err.message;
  }
};

test('an account is locked after its failures, until the window ends; other accounts are not', () => {
  let now = 0;
  const t = new LoginThrottle({ perAccount: 3, perAddress: 100, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) {
    assert.equal(refused(() => t.check('alice', `10.0.0.${i}`)), undefined);
    t.recordFailure('alice', `10.0.0.${i}`);
  }
  assert.match(refused(() => t.check('alice', '10.9.9.9')) ?? '', /for this account; retry in 60 s/);
  assert.equal(refused(() => t.check('bob', '10.0.0.1')), undefined);
  now = 60_000;
  assert.equal(refused(() => t.check('alice', '10.0.0.1')), undefined, 'the window ended');
});

test('one address trying many accounts is throttled; a success clears only the account', () => {
  const t = new LoginThrottle({ perAccount: 100, perAddress: 4, windowMs: 60_000, now: () => 0 });
  t.recordFailure('a', '1.2.3.4');
  t.recordFailure('a', '1.2.3.4');
  t.recordSuccess('a');
  t.recordFailure('b', '1.2.3.4');
  t.recordFailure('c', '1.2.3.4');
  assert.match(refused(() => t.check('d', '1.2.3.4')) ?? '', /from this address/);
  assert.equal(refused(() => t.check('d', '5.6.7.8')), undefined);
});
