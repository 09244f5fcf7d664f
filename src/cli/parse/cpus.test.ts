import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCpus } from './cpus.js';
import { ParseError } from './parse-error.js';

test('parses CPUs to nano-CPUs without float error', () => {
  assert.equal(parseCpus('0.5'), 500_000_000);
  assert.equal(parseCpus('2'), 2_000_000_000);
  assert.equal(parseCpus('0.3'), 300_000_000);
  assert.equal(parseCpus('.25'), 250_000_000);
  assert.equal(parseCpus('1.000000001'), 1_000_000_001);
  assert.equal(parseCpus('0'), 0);
});

test('refuses what is not a CPU count', () => {
  for (const bad of ['', 'half', '-1', '1.2.3', '0.0000000001', '1e3']) {
    assert.throws(() => parseCpus(bad), ParseError, bad);
  }
});
