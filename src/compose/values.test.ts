import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDotenv } from './dotenv.js';
import { shellWords } from './shell-words.js';
import { parseBytes, parseCpus, parseDuration, parseMode } from './units.js';

describe('compose value formats', () => {
  test('durations', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('2us'), 0);
    for (const bad of ['10', '10 s', '1m30', 'soon', '', '-5s']) assert.equal(typeof parseDuration(bad), 'string', bad);
  });

  test('byte sizes', () => {
    assert.equal(parseBytes('512M'), 512 * 1024 ** 2);
    assert.equal(parseBytes('1gb'), 1024 ** 3);
    assert.equal(parseBytes('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(parseBytes('2048k'), 2048 * 1024);
    assert.equal(parseBytes(1048576), 1048576);
    assert.equal(parseBytes('100'), 100);
    for (const bad of ['512Q', 'lots', '-1m', 1.5]) assert.equal(typeof parseBytes(bad), 'string', String(bad));
  });

  test('CPUs and modes', () => {
    assert.equal(parseCpus('0.5'), 500_000_000);
    assert.equal(parseCpus(2), 2_000_000_000);
    assert.equal(typeof parseCpus('half'), 'string');
    assert.equal(parseMode(440, '0440'), 0o440);
    assert.equal(parseMode('0o400', undefined), 0o400);
    assert.equal(parseMode(292, '292'), 292);
    assert.equal(typeof parseMode('rw', undefined), 'string');
  });

  test('shell words', () => {
    assert.deepEqual(shellWords(`sh -c 'echo "a b"' x\\ y "q\\"uote"`), ['sh', '-c', 'echo "a b"', 'x y', 'q"uote']);
    assert.deepEqual(shellWords('  '), []);
    assert.deepEqual(shellWords(`a ''`), ['a', '']);
    assert.equal(shellWords(`echo 'open`), 'a single quote is not closed');
  });

  test('env files', () => {
    const env = { OUTER: 'outer' };
    const r = parseDotenv(
      ['# comment', '', 'export A=1', 'B = spaced # comment', 'C="multi', 'line\\tx"', "D='$OUTER'", 'E=${OUTER}-${A}', 'F', 'G=${MISSING}'].join('\n'),
      (n) => (n in env ? env[n as keyof typeof env] : undefined),
    );
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.entries.map((e) => [e.key, e.value, e.line]),
      [['A', '1', 3], ['B', 'spaced', 4], ['C', 'multi\nline\tx', 5], ['D', '$OUTER', 7], ['E', 'outer-1', 8], ['F', undefined, 9], ['G', '', 10]],
    );
    assert.deepEqual(r.missing, [{ name: 'MISSING', line: 10 }]);
    assert.deepEqual(r.names.sort(), ['A', 'F', 'MISSING', 'OUTER']);
    const bad = parseDotenv('A="open\nB=1', () => undefined);
    assert.deepEqual(bad.problems, [{ line: 1, message: 'A: no closing "' }]);
  });
});
