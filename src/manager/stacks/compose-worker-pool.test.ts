import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import type { StackSpec } from '../../api/stack-spec.js';
import { ComposeError, renderStack } from '../../compose/index.js';
import { composeRenderer } from './compose-adapter.js';
import { ComposeWorkerPool } from './compose-worker-pool.js';
import type { RenderInput } from './stack-compose.js';

const valid = join(import.meta.dirname, '..', '..', 'compose', 'testdata', 'valid');
const read = (name: string): string => readFileSync(join(valid, name), 'utf8');
const misbehaving = new URL(`./compose-worker-misbehaving.test-util${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
const render = (content: string): RenderInput => ({ files: [{ name: 'compose.yaml', content }], variables: {}, fileData: {} });

async function refusal(p: Promise<unknown>): Promise<ShoalError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ShoalError, String(e));
    return e;
  }
  assert.fail('accepted');
}

describe('the compose renderer on worker threads', () => {
  const pool = new ComposeWorkerPool();
  after(() => pool.close());
  const compose = composeRenderer(pool);

  test('renders exactly what the renderer renders in-process', async () => {
    const input: RenderInput = {
      files: [{ name: 'compose.yaml', content: read('web-db-cache.yaml') }],
      envFile: { name: '.env', content: read('dotenv.env') },
      variables: { LOG_LEVEL: 'info' },
      fileData: { './web.env': Buffer.from(read('web.env')).toString('base64') },
    };
    assert.deepEqual(await compose.render(input), renderStack(input).spec);
    const required = await compose.requiredInputs(input.files, input.envFile, { variables: {}, fileData: {} });
    assert.ok(required.variables.includes('LOG_LEVEL'));
  });

  test('on Linux the render thread runs at nice 10, below the event loop it must not slow', { skip: process.platform !== 'linux' }, async () => {
    await compose.render(render('services: {}\n'));
    // Field 19 of /proc/PID/task/TID/stat is the nice value (after the command in parentheses).
    const nices = readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]));
    assert.equal(nices.filter((n) => n === 10).length, 1, `nice values of this process's threads: ${nices.join(' ')}`);
    assert.ok(nices.filter((n) => n === 0).length > 0);
  });

  test('a refusal comes back as the ComposeError, with every problem', async () => {
    const deep = `services:\n  web:\n    image: "${'${A:-'.repeat(3000)}x${'}'.repeat(3000)}"\n`;
    const e = await refusal(Promise.resolve(compose.render(render(deep))));
    assert.ok(e instanceof ComposeError);
    assert.equal(e.code, 'invalid_argument');
    assert.deepEqual(e.problems.map((p) => [p.file, p.line, p.path]), [['compose.yaml', 3, 'services.web.image']]);
    const aliases = `x: &b v\nservices: {}\nl: [${Array.from({ length: 12_000 }, () => '*b').join(', ')}]\n`;
    assert.match((await refusal(Promise.resolve(compose.render(render(aliases))))).message, /^compose\.yaml:3: the file has more than 1000 aliases/);
  });
});

describe('limits of a render thread', () => {
  test('a render past the time limit is refused naming the limit, its thread terminated, while the event loop runs on', async () => {
    const pool = new ComposeWorkerPool({ entry: misbehaving, timeoutMs: 1500, size: 1 });
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const e = await refusal(pool.run({ op: 'render', input: render('spin') }));
      clearInterval(ticker);
      assert.equal(e.code, 'invalid_argument');
      assert.equal(e.message, 'files: rendering the compose files took longer than the 1.5 s limit; check their aliases and variables');
      assert.ok(ticks > 0, 'timers fired while the thread spun');
      // The pool goes on with a new thread.
      assert.deepEqual(await pool.run({ op: 'render', input: render('fine') }), { echo: 'fine' });
    } finally {
      await pool.close();
    }
  });

  test('a render past the memory limit is refused naming the limit', async () => {
    const pool = new ComposeWorkerPool({ entry: misbehaving, heapMb: 32, size: 1 });
    try {
      const e = await refusal(pool.run({ op: 'render', input: render('hog') }));
      assert.equal(e.message, 'files: rendering the compose files needed more than the 32 MiB memory limit of the renderer');
      assert.deepEqual(await pool.run({ op: 'render', input: render('fine') }), { echo: 'fine' });
    } finally {
      await pool.close();
    }
  });

  test('jobs past the threads wait in a bounded queue; a crashed thread is an internal error, not a hang', async () => {
    const pool = new ComposeWorkerPool({ entry: misbehaving, timeoutMs: 3000, size: 1, maxQueued: 1 });
    try {
      const spinning = refusal(pool.run({ op: 'render', input: render('spin') }));
      const queued = pool.run<unknown>({ op: 'render', input: render('queued') });
      const full = await refusal(pool.run({ op: 'render', input: render('third') }));
      assert.equal(full.code, 'resource_exhausted');
      assert.equal((await spinning).code, 'invalid_argument');
      assert.deepEqual(await queued, { echo: 'queued' });
      assert.equal((await refusal(pool.run({ op: 'render', input: render('crash') }))).code, 'internal');
      assert.deepEqual(await pool.run({ op: 'render', input: render('after') }), { echo: 'after' });
    } finally {
      await pool.close();
    }
  });

  test('a closed pool refuses', async () => {
    const pool = new ComposeWorkerPool();
    await pool.close();
    assert.equal((await refusal(pool.run<StackSpec>({ op: 'render', input: render('x') }))).code, 'unavailable');
  });
});
