import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseError } from './parse-error.js';
import { parseRetention } from './retention.js';

test('retention takes days or a duration of at least a minute', () => {
  assert.equal(parseRetention('30d'), 30 * 86_400_000);
  assert.equal(parseRetention('720h'), 720 * 3_600_000);
  assert.equal(parseRetention('1m'), 60_000);
  for (const bad of ['30s', '0d', 'soon', '-1d']) assert.throws(() => parseRetention(bad), ParseError, bad);
});
