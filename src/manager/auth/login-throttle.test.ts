import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { LoginThrottle } from './login-throttle.js';

const wrong = () => Promise.reject(new ShoalError('unauthenticated', 'wrong username or password'));
const right = () => Promise.resolve('session');

/** The outcome of one attempt: ok, unauthenticated, or the throttle's refusal message. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof ShoalError);
    return err.code === 'resource_exhausted' ? `refused: ${err.message}` : err.code;
  }
}

test('an account is locked after its failures, until the window ends; other accounts are not', async () => {
  let now = 0;
  const t = new LoginThrottle({ perAccount: 3, perAddress: 100, windowMs: 60_000, now: () => now });
  for (let i = 0; i < 3; i++) assert.equal(await outcome(t.attempt('alice', `10.0.0.${i}`, wrong)), 'unauthenticated');
  assert.match(await outcome(t.attempt('alice', '10.9.9.9', right)), /refused: too many failed logins for this account; retry in 60 s/);
  assert.equal(await outcome(t.attempt('bob', '10.0.0.1', right)), 'ok');
  now = 60_000;
  assert.equal(await outcome(t.attempt('alice', '10.0.0.1', right)), 'ok', 'the window ended');
});

test('one address trying many accounts is throttled; a success clears only the account', async () => {
  const t = new LoginThrottle({ perAccount: 100, perAddress: 4, windowMs: 60_000, now: () => 0 });
  await outcome(t.attempt('a', '1.2.3.4', wrong));
  await outcome(t.attempt('a', '1.2.3.4', wrong));
  assert.equal(await outcome(t.attempt('a', '1.2.3.4', right)), 'ok');
  await outcome(t.attempt('b', '1.2.3.4', wrong));
  await outcome(t.attempt('c', '1.2.3.4', wrong));
  assert.match(await outcome(t.attempt('d', '1.2.3.4', right)), /from this address/);
  assert.equal(await outcome(t.attempt('d', '5.6.7.8', right)), 'ok');
});

test('concurrent attempts are counted before their checks end: only the limit gets a check', async () => {
  const t = new LoginThrottle({ perAccount: 3, perAddress: 100, windowMs: 60_000, now: () => 0 });
  let checks = 0;
  const slowWrong = async () => {
    checks++;
    await new Promise((r) => setImmediate(r));
    return wrong();
  };
  const results = await Promise.all([...Array.from({ length: 9 }, () => t.attempt('alice', '10.0.0.1', slowWrong)), t.attempt('alice', '10.0.0.1', right)].map(outcome));
  assert.equal(checks, 3);
  assert.equal(results.filter((r) => r === 'unauthenticated').length, 3);
  assert.equal(results.filter((r) => r.startsWith('refused')).length, 7);
  assert.match(results[9] ?? '', /^refused/, 'the right password after the limit does not get in');
});

test('a failure that is no guess (the store, bad input) gives its attempt back', async () => {
  const t = new LoginThrottle({ perAccount: 2, perAddress: 2, windowMs: 60_000, now: () => 0 });
  for (let i = 0; i < 5; i++) assert.equal(await outcome(t.attempt('a', '1.2.3.4', () => Promise.reject(new ShoalError('invalid_argument', 'too short')))), 'invalid_argument');
  assert.equal(await outcome(t.attempt('a', '1.2.3.4', wrong)), 'unauthenticated');
  assert.equal(await outcome(t.attempt('a', '1.2.3.4', right)), 'ok', 'one failure is under both limits');
});
