// Deploys hostile compose files to a real manager (own process) several at a time, while polling
// /healthz: each is refused with 400 naming the limit it hit (never 500), /healthz answers all
// along, and the manager's event loop never stalls 200 ms, because stacks render on worker
// threads with bounded work (issue 10: 12,000 aliases used to freeze the manager 23 s).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFuzzManager, stopFuzzManager, type FuzzManager } from './fuzz/fuzz-manager.js';

interface Hostile {
  what: string;
  body: { files: { name: string; content: string }[]; envFile?: { name: string; content: string }; variables?: Record<string, string> };
  /** A part of the refusal's message. */
  refusal: RegExp;
}

const file = (content: string) => [{ name: 'stack.yaml', content }];
const hostile: Hostile[] = [
  {
    what: '12,000 aliases in 84 KB',
    body: { files: file(`x: &anch v\nservices:\n  web:\n    image: shoal-test/busybox:1\n    command: [${Array.from({ length: 12_000 }, () => '*anch').join(', ')}]\n`) },
    refusal: /^stack\.yaml:5: the file has more than 1000 aliases/,
  },
  {
    what: 'an alias bomb (10^9 nodes)',
    body: { files: file(['a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`), 'services: {}'].join('\n')) },
    refusal: /expands to more than 100000 nodes/,
  },
  {
    what: 'interpolation nested 3,000 deep',
    body: { files: file(`services:\n  web:\n    image: "${'${A:-'.repeat(3000)}x${'}'.repeat(3000)}"\n`) },
    refusal: /^stack\.yaml:3: services\.web\.image: interpolation nested deeper than 32 levels/,
  },
  {
    what: 'a mapping of 40,000 keys with a duplicate',
    body: { files: file(`services:\n  web:\n    image: shoal-test/busybox:1\nx-many:\n${Array.from({ length: 40_000 }, (_, i) => `  k${i}: v`).join('\n')}\n  k1: again\n`) },
    refusal: /^stack\.yaml:40005: invalid YAML: Map keys must be unique/,
  },
  {
    what: '200,000 nested brackets',
    body: { files: file(`services: {}\nx: ${'['.repeat(200_000)}\n`) },
    refusal: /^stack\.yaml:2: invalid YAML: brackets nested deeper than 256 levels/,
  },
  {
    what: 'a 60 KB variable repeated 2,000 times',
    body: { files: file(`services:\n  web:\n    image: shoal-test/busybox:1\n    environment: { X: "${'$BIG'.repeat(2000)}" }\n`), variables: { BIG: 'x'.repeat(60_000) } },
    refusal: /^stack\.yaml:4: services\.web\.environment\.X: interpolation expands to more than 8388608 characters/,
  },
  {
    what: 'an .env file doubling a value at every line',
    body: { files: file('services:\n  web:\n    image: shoal-test/busybox:1\n'), envFile: { name: '.env', content: ['A0=xxxxxxxxxxxxxxxx', ...Array.from({ length: 40 }, (_, i) => `A${i + 1}=$A${i}$A${i}`)].join('\n') } },
    refusal: /^\.env:\d+: A\d+: interpolation expands to more than 8388608 characters/,
  },
  {
    what: 'a compose file over 512 KiB',
    body: { files: file(`services: {}\n# ${'x'.repeat(600 * 1024)}\n`) },
    refusal: /^files\[0\]\.content: "stack\.yaml" is 600\.0 KiB, larger than the 512 KiB limit of one file/,
  },
];

async function post(m: FuzzManager, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${m.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: m.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, text: await res.text() };
}

test('hostile stack files are refused with 400 naming the limit while /healthz answers and the event loop never stalls 200 ms', { timeout: 300_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shoal-hostile-stacks-'));
  const m = await startFuzzManager(dataDir);
  try {
    // Warm-up: the first render starts the renderer's threads and compiles its code.
    const ok = await post(m, '/v1/stacks', { name: 'warm', files: file('services:\n  web:\n    image: shoal-test/busybox:1\n') });
    assert.equal(ok.status, 200, ok.text);
    await m.ask('lag-reset', 'lagReset');
    let healthy = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const h = await post(m, '/healthz');
        assert.equal(h.status, 200, h.text);
        healthy++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for (let round = 0; round < 3; round++) {
        const before = healthy;
        const answers = await Promise.all(hostile.map((h, i) => post(m, '/v1/stacks', { name: `hostile-${round}-${i}`, ...h.body })));
        // Before renders left the event loop, /healthz waited for them (23 s for 12,000 aliases).
        assert.ok(healthy > before, `/healthz answered while round ${round}'s deploys were being rendered`);
        answers.forEach((a, i) => {
          const h = hostile[i] as Hostile;
          assert.equal(a.status, 400, `${h.what}: ${a.text.slice(0, 300)}`);
          const body = JSON.parse(a.text) as { error: { code: string; message: string } };
          assert.equal(body.error.code, 'invalid_argument');
          assert.match(body.error.message, h.refusal, h.what);
        });
      }
    } finally {
      polling = false;
      await poller;
    }
    const lag = await m.ask<{ maxMs: number; p99Ms: number; busyMs: number; heapMiB: number }>('lag', 'lag');
    console.log(`hostile stacks: ${hostile.length * 3} deploys refused, /healthz answered ${healthy} times; event loop max ${lag.maxMs.toFixed(0)} ms (the manager's own work in it at most ${lag.busyMs} ms), p99 ${lag.p99Ms.toFixed(0)} ms; heap ${lag.heapMiB.toFixed(0)} MiB`);
    // Judged by the manager's own work (test/fuzz/stall-probe.ts): on a loaded machine a loop
    // waiting for a core shows long gaps that no render caused.
    assert.ok(lag.busyMs < 200, `the manager's event loop was held ${lag.busyMs} ms by its own work`);
    assert.equal(m.child.exitCode, null, 'the manager is alive');
  } finally {
    await stopFuzzManager(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
