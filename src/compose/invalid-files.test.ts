import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ShoalError } from '../api/errors.js';
import { ComposeError } from './compose-error.js';
import { invalidFixtures } from './invalid-fixtures.test-util.js';
import { renderStack } from './render-stack.js';

function refusal(files: Array<{ name: string; content: string }>, variables: Record<string, string> = {}): ComposeError {
  try {
    renderStack({ files, variables });
  } catch (e) {
    assert.ok(e instanceof ComposeError, `expected a ComposeError, got ${String(e)}`);
    return e;
  }
  assert.fail('the files were accepted');
}

describe('invalid compose files (testdata/invalid)', () => {
  const fixtures = invalidFixtures();
  test('there are at least 15 of them', () => assert.ok(fixtures.length >= 15, `${fixtures.length} fixtures`));
  for (const f of fixtures) {
    test(`${f.name}: refused at line ${f.line}, ${f.key || 'no key'}`, () => {
      const e = refusal([{ name: f.name, content: f.content }]);
      assert.ok(e instanceof ShoalError);
      assert.equal(e.code, 'invalid_argument');
      const first = e.message.split('\n')[0] ?? '';
      assert.ok(first.startsWith(f.prefix), `"${first}" should start with "${f.prefix}"`);
      assert.ok(first.includes(f.message), `"${first}" should say "${f.message}"`);
      assert.deepEqual(
        { file: e.problems[0]?.file, line: e.problems[0]?.line, path: e.problems[0]?.path },
        { file: f.name, line: f.line, path: f.key },
      );
      // One mistake, one message: nothing else in the file is wrong, and no consequence is repeated.
      assert.equal(e.problems.length, 1, e.message);
    });
  }
});

describe('problem reporting', () => {
  test('every problem of every file is reported, one per line, in file and line order', () => {
    const base = ['services:', '  web:', '    image: shoal-test/busybox:1', '    ports: ["80:abc"]', '    restart: sometimes'].join('\n');
    const override = ['services:', '  web:', '    stop_grace_period: soon', '  db:', '    image: x', '    volumes: [data:/data]'].join('\n');
    const e = refusal([
      { name: 'compose.yaml', content: base },
      { name: 'prod.yaml', content: override },
    ]);
    assert.deepEqual(e.message.split('\n'), [
      'compose.yaml:4: services.web.ports[0]: "80:abc" is not a valid port: "abc" is not a port or port range',
      'compose.yaml:5: services.web.restart: "sometimes" is not a restart policy: use no, always, on-failure[:N] or unless-stopped',
      'prod.yaml:3: services.web.stop_grace_period: "soon" is not a duration such as 10s, 1m30s or 500ms',
      'prod.yaml:6: services.db.volumes[0]: volume "data" is not defined in the top-level volumes',
    ]);
  });

  test('YAML errors of several files are all reported before anything else', () => {
    const e = refusal([
      { name: 'a.yaml', content: 'services:\n  web: [\n' },
      { name: 'b.yaml', content: 'services:\n\tweb: {}\n' },
    ]);
    assert.ok(e.problems.some((p) => p.file === 'a.yaml'));
    assert.ok(e.problems.some((p) => p.file === 'b.yaml' && p.line === 2), e.message);
    assert.ok(e.problems.every((p) => p.message.startsWith('invalid YAML')));
  });

  test('a file that is not a mapping, and a stack without services, are refused', () => {
    assert.match(refusal([{ name: 'c.yaml', content: '- a\n- b\n' }]).message, /^c\.yaml:1: a compose file must be a mapping/);
    assert.match(refusal([{ name: 'c.yaml', content: 'version: "3"\n' }]).message, /^c\.yaml:1: services: is required$/);
    assert.throws(() => renderStack({ files: [], variables: {} }), /files: at least one compose file is required/);
  });

  test('an alias bomb is stopped', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    lines.push('services: {}');
    const e = refusal([{ name: 'bomb.yaml', content: lines.join('\n') }]);
    assert.match(e.message, /^bomb\.yaml:\d+: .*expands to more than 100000 nodes/);
  });

  test('schema problems are reported where the value came from', () => {
    const content = [
      'services:',
      '  web:',
      '    image: x',
      '    environment:',
      '      "BAD KEY": 1',
      '    stop_signal: "kill -9"',
      '    deploy:',
      '      mode: global',
      '      placement:',
      '        max_replicas_per_node: 2',
    ].join('\n');
    const e = refusal([{ name: 'compose.yaml', content }]);
    assert.deepEqual(e.message.split('\n'), [
      'compose.yaml:5: services.web.environment.BAD KEY: must be a variable name without "=" or spaces',
      'compose.yaml:6: services.web.stop_signal: must be a signal name such as SIGTERM or a number',
    ]);
    // Checks across fields run once the fields themselves are valid.
    const fixed = content.replace('"BAD KEY"', 'GOOD_KEY').replace('"kill -9"', 'SIGKILL');
    assert.equal(
      refusal([{ name: 'compose.yaml', content: fixed }]).message,
      'compose.yaml:10: services.web.deploy.placement.max_replicas_per_node: applies only to replicated services',
    );
  });
});
