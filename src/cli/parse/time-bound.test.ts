import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from './parse-error.js';
import { parseTimeBound } from './time-bound.js';

const now = Date.parse('2024-05-10T12:00:00.000Z');

test('durations count back from now', () => {
  assert.equal(parseTimeBound('30m', now), '2024-05-10T11:30:00.000Z');
  assert.equal(parseTimeBound('2h', now), '2024-05-10T10:00:00.000Z');
  assert.equal(parseTimeBound('7d', now), '2024-05-03T12:00:00.000Z');
  assert.equal(parseTimeBound('1h30m', now), '2024-05-10T10:30:00.000Z');
  assert.equal(parseTimeBound('1w', now), '2024-05-03T12:00:00.000Z');
});

test('ISO dates and times are taken as given', () => {
  assert.equal(parseTimeBound('2024-05-01', now), '2024-05-01T00:00:00.000Z');
  assert.equal(parseTimeBound('2024-05-01T10:00:00Z', now), '2024-05-01T10:00:00.000Z');
  assert.equal(parseTimeBound('2024-05-01T10:00:00+02:00', now), '2024-05-01T08:00:00.000Z');
});

test('anything else is refused, naming the forms that work', () => {
  for (const bad of ['5', 'yesterday', '2h-', '-2h', '2024-13-45', 'May 1', '']) {
    assert.throws(() => parseTimeBound(bad, now), (e: unknown) => e instanceof ParseError && /30m, 2h, 7d/.test(e.message), bad);
  }
});
