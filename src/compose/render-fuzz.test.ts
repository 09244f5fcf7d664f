// Fuzzes the compose renderer with mutations of the valid fixtures (testdata/valid): bytes and
// lines deleted, repeated and swapped, and YAML and interpolation tokens inserted (anchors,
// aliases, merge keys, tags, brackets, nested templates, control characters). Every outcome must
// be a rendered stack whose services pass the service schema, or a refusal (ComposeError or
// another invalid_argument ShoalError): anything else would be a 500 from the manager. Replay a
// failing run with SHOAL_FUZZ_SEED=<the seed it printed>; SHOAL_FUZZ_COMPOSE sets the count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ShoalError } from '../api/errors.js';
import { serviceSpecSchema } from '../api/service-spec.js';
import { fuzzSeed, SeededRandom } from '../../test/fuzz/seeded-random.js';
import { renderStack, type RenderStackInput } from './render-stack.js';
import { requiredInputs } from './required-inputs.js';

const valid = join(import.meta.dirname, 'testdata', 'valid');
const read = (name: string): string => readFileSync(join(valid, name), 'utf8');
const count = Number(process.env.SHOAL_FUZZ_COMPOSE ?? 600);

const tokens = [
  '*defaults', '*default-labels', '*nothing', '&defaults ', '&x ', '<<: *defaults', '<<: [*defaults, *default-labels]', '<<: 1',
  '!reset ', '!override ', '!!binary ', '!!str ', '!!int ', '!!map ', '!custom ', '? ', '- ', ': ', ', ', '|', '>-', '#', '---\n', '...\n', '%YAML 1.1\n',
  '[', ']', '{', '}', '"', "'", '\\', '\t', '\n', '  ', '\r\n', '\u0000', '\uFEFF', '\u2028', '😀',
  '$', '$$', '${', '}', '${A', '${A:-', '${A:?', '${A:+x}', '${WEB_TAG:?unset}', '$WEB_TAG', '${1}', '${A:-${B:-${C}}}', '$${',
  '1e999', '-1', '0x1F', '0o777', '99999999999999999999', '.inf', '.nan', '~', 'null', 'true', 'yes', '0400', '1.5', '""',
  'x'.repeat(300), '9'.repeat(40),
];

/** Larger insertions: patterns the renderer has limits for. */
const snippets = [
  (rnd: SeededRandom) => `\nx-bomb: &b0 [${Array(rnd.int(2, 12)).fill('x').join(', ')}]\nx-bomb2: &b1 [${Array(rnd.int(2, 12)).fill('*b0').join(', ')}]\nx-bomb3: [${Array(rnd.int(2, 12)).fill('*b1').join(', ')}]\n`,
  (rnd: SeededRandom) => `${'${A:-'.repeat(rnd.int(1, 60))}x${'}'.repeat(rnd.int(0, 60))}`,
  (rnd: SeededRandom) => `${'['.repeat(rnd.int(1, 300))}${']'.repeat(rnd.int(0, 300))}`,
  (rnd: SeededRandom) => `${'{a: '.repeat(rnd.int(1, 80))}${'}'.repeat(rnd.int(0, 80))}`,
  (rnd: SeededRandom) => `\nx-many: [${Array(rnd.int(1, 1500)).fill('*defaults').join(', ')}]\n`,
  (rnd: SeededRandom) => `\nx-deep:\n${Array.from({ length: rnd.int(1, 100) }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} v\n`,
];

function mutate(text: string, rnd: SeededRandom): string {
  let out = text;
  for (let n = rnd.int(1, 4); n > 0; n--) {
    const at = rnd.int(0, out.length);
    const lines = out.split('\n');
    const line = rnd.int(0, Math.max(0, lines.length - 1));
    switch (rnd.int(0, 7)) {
      case 0:
        out = out.slice(0, at) + out.slice(Math.min(out.length, at + rnd.int(1, 40)));
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at, at + rnd.int(1, 80)).repeat(rnd.int(2, 4)) + out.slice(at);
        break;
      case 2:
      case 3:
        out = out.slice(0, at) + rnd.pick(tokens) + out.slice(at);
        break;
      case 4:
        lines.splice(line, 1);
        out = lines.join('\n');
        break;
      case 5:
        lines.splice(rnd.int(0, lines.length), 0, lines[line] ?? '');
        out = lines.join('\n');
        break;
      case 6:
        lines[line] = ' '.repeat(rnd.int(0, 6)) + (lines[line] ?? '').trimStart();
        out = lines.join('\n');
        break;
      default:
        out = out.slice(0, at) + rnd.pick(snippets)(rnd) + out.slice(at);
    }
  }
  return out;
}

test(`compose fuzz: ${count} mutated fixtures render or are refused with invalid_argument, nothing else`, () => {
  const seed = fuzzSeed();
  console.log(`compose fuzz seed ${seed} (replay: SHOAL_FUZZ_SEED=${seed})`);
  const rnd = new SeededRandom(seed);
  const base = { main: read('web-db-cache.yaml'), override: read('web-db-cache.override.yaml'), dotenv: read('dotenv.env'), webEnv: read('web.env') };
  const outcomes = { rendered: 0, refused: 0 };
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const which = rnd.int(0, 9);
    const input: RenderStackInput = {
      files: [{ name: 'compose.yaml', content: which < 6 ? mutate(base.main, rnd) : base.main }],
      variables: rnd.chance(0.3) ? { LOG_LEVEL: rnd.pick(['info', '', '${LOG_LEVEL}', '$$', 'x'.repeat(1000)]) } : {},
      envFile: { name: '.env', content: which === 6 ? mutate(base.dotenv, rnd) : base.dotenv },
      fileData: { './web.env': Buffer.from(which === 7 ? mutate(base.webEnv, rnd) : base.webEnv).toString('base64') },
    };
    if (which >= 8) input.files.push({ name: 'compose.prod.yaml', content: mutate(base.override, rnd) });
    try {
      const { spec } = renderStack(input);
      for (const [name, s] of Object.entries(spec.services)) {
        const checked = serviceSpecSchema.safeParse(s);
        if (!checked.success) failures.push(`#${i}: service ${name} rendered but fails the service schema: ${checked.error.issues[0]?.message ?? ''}`);
      }
      outcomes.rendered++;
    } catch (e) {
      if (e instanceof ShoalError && e.code === 'invalid_argument') outcomes.refused++;
      else failures.push(`#${i} (seed ${seed}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n--- compose.yaml\n${input.files[0]?.content.slice(0, 2000) ?? ''}`);
    }
    try {
      requiredInputs(input.files, input.envFile, { variables: input.variables, fileData: input.fileData });
    } catch (e) {
      if (!(e instanceof ShoalError && e.code === 'invalid_argument')) failures.push(`#${i} requiredInputs (seed ${seed}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`compose fuzz: ${count} inputs, ${outcomes.rendered} rendered, ${outcomes.refused} refused`);
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(outcomes.rendered > count / 20 && outcomes.refused > count / 20, `mutations should both pass and fail often: ${JSON.stringify(outcomes)}`);
});
