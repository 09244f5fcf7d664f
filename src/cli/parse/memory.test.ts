import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMemory, parseMemory } from './memory.js';
import { ParseError } from './parse-error.js';

test('parses binary sizes as docker does', () => {
  assert.equal(parseMemory('64M'), 64 * 1024 * 1024);
  assert.equal(parseMemory('64m'), 64 * 1024 * 1024);
  assert.equal(parseMemory('64MiB'), 64 * 1024 * 1024);
  assert.equal(parseMemory('64mb'), 64 * 1024 * 1024);
  assert.equal(parseMemory('1.5G'), 1.5 * 1024 ** 3);
  assert.equal(parseMemory('512k'), 512 * 1024);
  assert.equal(parseMemory('1024'), 1024);
  assert.equal(parseMemory('1024b'), 1024);
});

test('refuses what is not a size', () => {
  for (const bad of ['', 'abc', '-1M', '1X', '1.2.3M', 'M']) {
    assert.throws(() => parseMemory(bad), ParseError, bad);
  }
});

test('formats sizes for display', () => {
  assert.equal(formatMemory(64 * 1024 * 1024), '64MiB');
  assert.equal(formatMemory(1.5 * 1024 ** 3), '1.5GiB');
});
