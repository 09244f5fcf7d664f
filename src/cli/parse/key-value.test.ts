import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyValue, splitWords } from './key-value.js';
import { parseConstraintFlag, parsePlacementPref, sameConstraint } from './placement.js';

test('KEY=VALUE keeps "=" in the value; a bare key reads the shell or is empty', () => {
  assert.deepEqual(parseKeyValue('A=b=c', 'empty'), ['A', 'b=c']);
  assert.deepEqual(parseKeyValue('A=', 'empty'), ['A', '']);
  assert.deepEqual(parseKeyValue('tier', 'empty'), ['tier', '']);
  assert.deepEqual(parseKeyValue('HOME', (k) => (k === 'HOME' ? '/root' : undefined)), ['HOME', '/root']);
  assert.throws(() => parseKeyValue('NOPE', () => undefined), /not set in this shell/);
  assert.throws(() => parseKeyValue('=v', 'empty'), /needs a key/);
});

test('words, constraints and preferences', () => {
  assert.deepEqual(splitWords('  sh -c  "x" '), ['sh', '-c', '"x"']);
  assert.equal(parseConstraintFlag('node.labels.zone==a'), 'node.labels.zone==a');
  assert.throws(() => parseConstraintFlag('zone=a'), /not a constraint/);
  assert.ok(sameConstraint('node.role==manager', 'node.role == manager'));
  assert.deepEqual(parsePlacementPref('spread=node.labels.zone'), { spread: 'node.labels.zone' });
  assert.throws(() => parsePlacementPref('spread=zone'), /spread=node.labels.KEY/);
});
