import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ComposeError, Diagnostics } from './compose-error.js';
import { composeLimits } from './compose-limits.js';
import { renderStack } from './render-stack.js';
import { flowDepth, parseTree, type Tree } from './yaml-tree.js';

/** Parses one file, returning its tree, the problems and how many nodes were built. */
function parse(content: string): { tree: Tree | undefined; problems: string[]; nodes: number } {
  const diag = new Diagnostics();
  const stats = { nodes: 0 };
  const tree = parseTree({ name: 'c.yaml', content }, diag, stats);
  return { tree, problems: diag.problems.map((p) => `${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.message}`), nodes: stats.nodes };
}

/** `count` labels each an alias to a mapping of `width` keys. */
function aliasFile(count: number, width: number): string {
  const anchor = Array.from({ length: width }, (_, i) => `  k${i}: v`).join('\n');
  const uses = Array.from({ length: count }, (_, i) => `      l${i}: *b`).join('\n');
  return `x-base: &b\n${anchor}\nservices:\n  web:\n    image: x\n    labels:\n${uses}\n`;
}

describe('alias expansion is linear and bounded', () => {
  test('12,000 aliases (84 KB) are refused at the alias limit before any node is built', () => {
    const content = Array.from({ length: 12_000 }, () => '*anch').join(', ');
    const file = `x: &anch v\nservices: {}\nl: [${content}]\n`;
    assert.ok(file.length > 80_000 && file.length < 90_000);
    const { tree, problems, nodes } = parse(file);
    assert.equal(tree, undefined);
    assert.deepEqual(problems, [`c.yaml:3: the file has more than ${composeLimits.aliases} aliases ("*name"), the limit`]);
    assert.equal(nodes, 0);
  });

  test('each alias costs the size of its anchor, once: the nodes built grow linearly', () => {
    // The root, the anchor (1 + width), services, web, image, labels; per use the alias and a copy of the anchor (1 + width).
    for (const [count, width] of [
      [100, 10],
      [1000, 10],
      [1000, 50],
    ] as const) {
      const { tree, problems, nodes } = parse(aliasFile(count, width));
      assert.deepEqual(problems, []);
      assert.ok(tree?.kind === 'map');
      const expected = 1 + (1 + width) + 4 + count * (2 + width);
      assert.equal(nodes, expected, `${count} aliases of ${width} keys`);
    }
  });

  test('an expanded alias keeps the path of its use', () => {
    const { tree } = parse(aliasFile(3, 2));
    const labels = tree?.kind === 'map' ? tree.entries.get('services') : undefined;
    const web = labels?.kind === 'map' ? labels.entries.get('web') : undefined;
    const l2 = web?.kind === 'map' ? web.entries.get('labels') : undefined;
    const copy = l2?.kind === 'map' ? l2.entries.get('l2') : undefined;
    assert.ok(copy?.kind === 'map');
    assert.equal(copy.entries.get('k1')?.at.path, 'services.web.labels.l2.k1');
    assert.equal(copy.entries.get('k1')?.at.line, 3, 'the line of the text, in the anchor');
  });

  test('a long string repeated through aliases is refused at the character limit', () => {
    const long = 'x'.repeat(200_000);
    const uses = Array.from({ length: 50 }, () => '*s').join(', ');
    const { problems } = parse(`x: &s ${long}\nservices: {}\nl: [${uses}]\n`);
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, new RegExp(`^c\\.yaml:1: l\\[\\d+\\]: the file's values expand to more than ${composeLimits.expandedChars} characters`));
  });

  test('an alias naming no anchor, or inside the node it names, is refused', () => {
    assert.deepEqual(parse('services: {}\na: *nothing\n').problems, ['c.yaml:2: invalid YAML: alias "*nothing" names no anchor ("&nothing") before it']);
    assert.deepEqual(parse('services: {}\na: &a\n  b: [1, *a]\n').problems, ['c.yaml:3: invalid YAML: alias "*a" is inside the node it names']);
  });

  test('duplicate keys are refused, in a mapping of 50,000 keys too', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  k${i}: v`);
    keys.push('  k7: again');
    const { problems } = parse(`services: {}\nx-many:\n${keys.join('\n')}\n`);
    assert.deepEqual(problems, ['c.yaml:50003: invalid YAML: Map keys must be unique']);
  });

  test('brackets nested thousands deep are refused before the YAML library recurses into them', () => {
    const { problems, nodes } = parse(`services: {}\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    assert.deepEqual(problems, ['c.yaml:2: invalid YAML: brackets nested deeper than 256 levels']);
    assert.equal(nodes, 0);
  });

  test('brackets in quotes and comments do not count', () => {
    const deep = '['.repeat(300);
    assert.equal(flowDepth(`a: "${deep}"\nb: '${deep}'' ${deep}'\n# ${deep}\nc: [[1]]`).max, 2);
    assert.equal(flowDepth(`a: it's [${deep}`).max, 301, 'an apostrophe inside a word starts no quote');
  });

  test('the renderer refuses the 12,000-alias file with a ComposeError naming file, line and limit', () => {
    const content = `x: &b v\nservices:\n  web:\n    image: x\n    labels: [${Array.from({ length: 12_000 }, () => '*b').join(', ')}]\n`;
    assert.throws(
      () => renderStack({ files: [{ name: 'stack.yaml', content }], variables: {} }),
      (e: unknown) => e instanceof ComposeError && e.code === 'invalid_argument' && /^stack\.yaml:5: the file has more than 1000 aliases/.test(e.message),
    );
  });
});

test('a refusal lists the first 200 problems and counts the rest', () => {
  const labels = Array.from({ length: 250 }, (_, i) => `      l${i}: [1]`).join('\n');
  assert.throws(
    () => renderStack({ files: [{ name: 'c.yaml', content: `services:\n  web:\n    image: x\n    labels:\n${labels}\n` }], variables: {} }),
    (e: unknown) => {
      assert.ok(e instanceof ComposeError);
      const lines = e.message.split('\n');
      assert.equal(lines.length, 201);
      assert.equal(lines[200], '… and 50 more problems');
      assert.equal(e.problems.length, 250);
      return true;
    },
  );
});
