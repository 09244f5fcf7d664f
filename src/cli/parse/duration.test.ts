import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from './duration.js';
import { ParseError } from './parse-error.js';

test('parses Go-style durations to milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2h45m'), 9_900_000);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('1500us'), 2);
});

test('refuses bare numbers, negatives and junk', () => {
  assert.throws(() => parseDuration('10'), (e: unknown) => e instanceof ParseError && /needs a unit/.test(e.message));
  assert.throws(() => parseDuration('-5s'), /negative/);
  assert.throws(() => parseDuration('5 s'), ParseError);
  assert.throws(() => parseDuration('5sec'), ParseError);
  assert.throws(() => parseDuration(''), ParseError);
  assert.throws(() => parseDuration('1d'), ParseError);
});

test('formats durations back', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(0), '0s');
});
