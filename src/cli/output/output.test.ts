import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, humanDuration } from './relative-time.js';
import { formatTable, truncate } from './table.js';

test('table pads columns and trims line ends', () => {
  assert.equal(formatTable(['ID', 'NAME', 'X'], [['1', 'web', ''], ['22', 'a', 'z']]), 'ID   NAME   X\n1    web\n22   a      z\n');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abcdef', 4, false), 'abcdef');
});

test('relative times read like docker', () => {
  assert.equal(humanDuration(300), 'Less than a second');
  assert.equal(humanDuration(5000), '5 seconds');
  assert.equal(humanDuration(65_000), 'About a minute');
  assert.equal(humanDuration(10 * 60_000), '10 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3_600_000), '5 hours');
  assert.equal(humanDuration(3 * 86_400_000), '3 days');
  assert.equal(ago('2024-01-01T00:00:00.000Z', Date.parse('2024-01-01T00:00:05.000Z')), '5 seconds ago');
  assert.equal(ago(undefined, 0), '');
});
