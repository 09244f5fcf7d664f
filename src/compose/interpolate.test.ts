import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceSpec } from '../api/service-spec.js';
import { interpolate, referencedVariables } from './interpolate.js';
import { ComposeError } from './compose-error.js';
import { renderStack } from './render-stack.js';

const vars: Record<string, string> = { SET: 'value', EMPTY: '' };
const lookup = (name: string): string | undefined => (Object.hasOwn(vars, name) ? vars[name] : undefined);
const value = (text: string): string => {
  const r = interpolate(text, lookup);
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
};
const failure = (text: string): string => {
  const r = interpolate(text, lookup);
  assert.ok(!r.ok, `"${text}" was accepted`);
  return r.message;
};

describe('interpolation', () => {
  test('plain and braced variables, $$', () => {
    assert.equal(value('a $SET b ${SET}c'), 'a value b valuec');
    assert.equal(value('$$SET costs $$5 and $${SET}'), '$SET costs $5 and ${SET}');
    assert.equal(value('no variables'), 'no variables');
  });

  test('defaults: :- for unset or empty, - for unset only', () => {
    assert.equal(value('${UNSET:-d} ${EMPTY:-d} ${SET:-d}'), 'd d value');
    assert.equal(value('${UNSET-d} ${EMPTY-d} ${SET-d}'), 'd  value');
    assert.equal(value('${UNSET:-${SET}-x}'), 'value-x');
    assert.equal(value('${UNSET:-}'), '');
  });

  test('alternatives: :+ when set and not empty, + when set', () => {
    assert.equal(value('[${SET:+alt}] [${EMPTY:+alt}] [${UNSET:+alt}]'), '[alt] [] []');
    assert.equal(value('[${SET+alt}] [${EMPTY+alt}] [${UNSET+alt}]'), '[alt] [alt] []');
  });

  test('required: :? fails for unset or empty, ? for unset only', () => {
    assert.equal(failure('${UNSET:?must be set}'), 'required variable UNSET is not set: must be set');
    assert.equal(failure('${EMPTY:?no empty}'), 'required variable EMPTY is empty: no empty');
    assert.equal(value('${EMPTY?only unset}'), '');
    assert.equal(failure('${UNSET?}'), 'required variable UNSET is not set');
    assert.equal(value('${SET:?x}'), 'value');
  });

  test('an unset variable without default is empty and reported missing', () => {
    const r = interpolate('a${UNSET}b$OTHER', lookup);
    assert.deepEqual(r, { ok: true, value: 'ab', missing: ['UNSET', 'OTHER'] });
  });

  test('malformed templates', () => {
    assert.match(failure('$5'), /write "\$\$" for a literal "\$"/);
    assert.match(failure('${SET'), /no closing "}"/);
    assert.match(failure('${}'), /expected a variable name/);
    assert.match(failure('${SET:x}'), /unknown operator ":x"/);
    assert.match(failure('end $'), /invalid interpolation/);
  });

  test('referenced variables include those in defaults', () => {
    assert.deepEqual(referencedVariables('$A ${B:-${C}} $$D ${E:?x}').toString(), ['A', 'B', 'C', 'E'].toString());
  });
});

describe('interpolation in compose files', () => {
  const file = 'services:\n  web:\n    image: "img:1${TAG}"\n    environment:\n      FROM: "${FROM:-default}"\n      LITERAL: "$$HOME"\n';
  const render = (variables: Record<string, string>, env?: string) =>
    renderStack({ files: [{ name: 'compose.yaml', content: file }], variables, ...(env !== undefined ? { envFile: { name: '.env', content: env } } : {}) }).spec;

  test('variables win over the .env file, which fills in the rest', () => {
    const spec = render({ TAG: 'from-shell' }, 'TAG=from-dotenv\nFROM=dotenv\n');
    const web = spec.services.web as ServiceSpec;
    assert.equal(web.image, 'img:1from-shell');
    assert.equal(web.env.FROM, 'dotenv');
    assert.equal(web.env.LITERAL, '$HOME');
    assert.deepEqual(spec.warnings, []);
  });

  test('an empty variable is set: it wins over .env', () => {
    const web = render({ TAG: '' }, 'TAG=from-dotenv\n').services.web as ServiceSpec;
    assert.equal(web.image, 'img:1');
  });

  test('a missing variable becomes empty with one warning naming file, line and key', () => {
    const spec = render({});
    assert.equal((spec.services.web as ServiceSpec).image, 'img:1');
    assert.deepEqual(spec.warnings, ['compose.yaml:3: services.web.image: variable TAG is not set: using an empty string']);
  });

  test('a bad .env line is reported with the .env file and line', () => {
    assert.throws(() => render({ TAG: 'x' }, 'OK=1\nnot a line\n'), (e: Error) => e.message === '.env:2: "not a line" is not a variable name');
  });

  test('environment KEY without value takes the variable, or is left out with a warning', () => {
    const content = 'services:\n  web:\n    image: x\n    environment: [SET_ONE, UNSET_ONE]\n';
    const spec = renderStack({ files: [{ name: 'compose.yaml', content }], variables: {}, envFile: { name: '.env', content: 'SET_ONE=from-dotenv' } }).spec;
    assert.deepEqual((spec.services.web as ServiceSpec).env, { SET_ONE: 'from-dotenv' });
    assert.deepEqual(spec.warnings, ['compose.yaml:4: services.web.environment[1]: variable UNSET_ONE is not set: left out of the environment']);
  });
});

describe('interpolation is bounded', () => {
  const nested = (depth: number): string => `${'${A:-'.repeat(depth)}x${'}'.repeat(depth)}`;

  test('nesting 3,000 deep is refused with the file, line and key, not a stack overflow', () => {
    const content = `services:\n  web:\n    image: "${nested(3000)}"\n`;
    assert.throws(
      () => renderStack({ files: [{ name: 'deep.yaml', content }], variables: {} }),
      (e: unknown) => e instanceof ComposeError && e.code === 'invalid_argument' && e.message === 'deep.yaml:3: services.web.image: interpolation nested deeper than 32 levels ("${A:-${B:-...}}")',
    );
  });

  test('nesting up to the limit works', () => {
    assert.equal(value(nested(32)), 'x');
    assert.match(failure(nested(33)), /nested deeper than 32 levels/);
    assert.match(referencedVariables(nested(3000)) as string, /nested deeper than 32 levels/);
  });

  test('a value repeating a large variable is refused at the character limit, across the whole file too', () => {
    const big = { BIG: 'x'.repeat(64 * 1024) };
    const one = `services:\n  web:\n    image: x\n    labels: { a: "${'$BIG'.repeat(200)}" }\n`;
    assert.throws(() => renderStack({ files: [{ name: 'c.yaml', content: one }], variables: big }), / c\.yaml:4: services\.web\.labels\.a: interpolation expands to more than 8388608 characters$/);
    const labels = Array.from({ length: 200 }, (_, i) => `      l${i}: $BIG`).join('\n');
    const many = `services:\n  web:\n    image: x\n    labels:\n${labels}\n`;
    assert.throws(() => renderStack({ files: [{ name: 'c.yaml', content: many }], variables: big }), /interpolation expands to more than 8388608 characters/);
  });

  test('an .env file doubling a value at every line is refused', () => {
    const lines = ['A0=xxxxxxxxxxxxxxxx', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}=$A${i}$A${i}`)];
    assert.throws(
      () => renderStack({ files: [{ name: 'c.yaml', content: 'services:\n  web:\n    image: x\n' }], envFile: { name: '.env', content: lines.join('\n') }, variables: {} }),
      / \.env:\d+: A\d+: interpolation expands to more than 8388608 characters$/,
    );
  });
});
