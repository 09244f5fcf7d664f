import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from './errors.js';
import { imageReferenceProblem } from './image-reference.js';
import { limits } from './limits.js';
import { createServiceSchema, scaleServiceSchema, serviceSpecSchema } from './service-spec.js';
import { parseOrThrow } from './validation.js';

/** The field and message a refused service spec names. */
function refusal(spec: Record<string, unknown>): { field: string | undefined; message: string } {
  try {
    parseOrThrow(serviceSpecSchema, spec, 'spec');
  } catch (err) {
    assert.ok(err instanceof ShoalError);
    assert.equal(err.code, 'invalid_argument');
    return { field: err.field, message: err.message };
  }
  assert.fail(`accepted: ${JSON.stringify(spec).slice(0, 200)}`);
}

const image = 'shoal-test/busybox:1';
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const manyKeys = (n: number): Record<string, string> => Object.fromEntries(many(n, (i) => [`K${i}`, 'v']));

test('the scale request of issue 10 (replicas 1e9) is refused naming replicas and the limit', () => {
  assert.throws(() => parseOrThrow(scaleServiceSchema, { replicas: 1_000_000_000 }), (err: unknown) => err instanceof ShoalError && err.field === 'replicas' && err.message.includes(String(limits.replicasPerService)));
  assert.deepEqual(parseOrThrow(scaleServiceSchema, { replicas: limits.replicasPerService }), { replicas: limits.replicasPerService });
  assert.equal(refusal({ image, replicas: limits.replicasPerService + 1 }).field, 'spec.replicas');
});

test('images: control characters, whitespace, overlong names and non-references are refused', () => {
  assert.equal(refusal({ image: 'busybox\n\0evil' }).field, 'spec.image');
  assert.match(refusal({ image: 'busybox\n\0evil' }).message, /control characters/);
  assert.match(refusal({ image: 'a'.repeat(10_000) }).message, /at most 512/);
  assert.match(refusal({ image: `${'a'.repeat(300)}:1` }).message, /at most 255/);
  for (const bad of ['busy box', 'UPPER/case', 'nginx:', 'nginx@sha256:zz', '/nginx', 'nginx//x', 'a:b:c', '']) {
    assert.equal(refusal({ image: bad }).field, 'spec.image', bad);
  }
  for (const good of [
    'nginx',
    'nginx:1.25',
    'shoal-test/busybox:1',
    'library/nginx:1.25-alpine',
    'registry.example.com:5000/team/app:v1.2.3',
    'localhost/app',
    '127.0.0.1:5000/app:latest',
    `nginx@sha256:${'a'.repeat(64)}`,
    `ghcr.io/o/r:t@sha256:${'0'.repeat(64)}`,
    'my_app__x/a-b--c.d:TAG_1',
  ]) {
    assert.equal(imageReferenceProblem(good), undefined, good);
  }
});

test('mount sources: a volume is a name, a bind source an absolute normal path', () => {
  assert.equal(refusal({ image, mounts: [{ type: 'volume', source: '../../etc', target: '/data' }] }).field, 'spec.mounts[0].source');
  assert.equal(refusal({ image, mounts: [{ source: 'a/b', target: '/data' }] }).field, 'spec.mounts[0].source');
  assert.match(refusal({ image, mounts: [{ type: 'bind', source: '/srv/../etc', target: '/data' }] }).message, /"\.\." segments/);
  assert.equal(refusal({ image, mounts: [{ type: 'bind', source: '/srv//x', target: '/data' }] }).field, 'spec.mounts[0].source');
  assert.equal(refusal({ image, mounts: [{ type: 'bind', source: '/srv/x\n', target: '/data' }] }).field, 'spec.mounts[0].source');
  assert.equal(refusal({ image, mounts: [{ type: 'volume', source: 'v', target: '/data\0' }] }).field, 'spec.mounts[0].target');
  const ok = parseOrThrow(serviceSpecSchema, { image, mounts: [{ source: 'stack_data.1', target: '/data' }, { type: 'bind', source: '/srv/www/', target: '/www' }, { type: 'volume', target: '/anon' }] });
  assert.equal(ok.mounts.length, 3);
});

test('every list and map of a spec is bounded, and the refusal names the field and the limit', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ ports: many(limits.ports + 1, (i) => ({ target: 1 + i })) }, 'spec.ports'],
    [{ mounts: many(limits.mounts + 1, (i) => ({ source: `v${i}`, target: `/d${i}` })) }, 'spec.mounts'],
    [{ env: manyKeys(limits.envEntries + 1) }, 'spec.env'],
    [{ labels: manyKeys(limits.labels + 1) }, 'spec.labels'],
    [{ containerLabels: manyKeys(limits.labels + 1) }, 'spec.containerLabels'],
    [{ labels: { ['k'.repeat(limits.labelKeyLength + 1)]: 'v' } }, 'spec.labels.' + 'k'.repeat(limits.labelKeyLength + 1)],
    [{ command: many(limits.argvEntries + 1, () => 'x') }, 'spec.command'],
    [{ args: ['x'.repeat(limits.textLength + 1)] }, 'spec.args[0]'],
    [{ entrypoint: ['a\0b'] }, 'spec.entrypoint[0]'],
    [{ env: { A: 'x'.repeat(limits.textLength + 1) } }, 'spec.env.A'],
    [{ placement: { constraints: many(limits.constraints + 1, () => 'node.role==worker') } }, 'spec.placement.constraints'],
    [{ placement: { avoid: many(limits.serviceRefs + 1, (i) => `s${i}`) } }, 'spec.placement.avoid'],
    [{ healthcheck: { test: ['CMD', ...many(limits.argvEntries, () => 'x')] } }, 'spec.healthcheck.test'],
    [{ secrets: many(limits.fileRefs + 1, (i) => ({ source: `s${i}` })) }, 'spec.secrets'],
    [{ networks: many(limits.networks + 1, (i) => ({ target: `n${i}` })) }, 'spec.networks'],
    [{ dependsOn: many(limits.serviceRefs + 1, (i) => ({ service: `s${i}` })) }, 'spec.dependsOn'],
    [{ hostname: 'h'.repeat(limits.shortTextLength + 1) }, 'spec.hostname'],
    [{ user: 'root\nx' }, 'spec.user'],
    [{ workdir: '/w'.repeat(limits.pathLength) }, 'spec.workdir'],
    [{ restartPolicy: { delayMs: 2 ** 31 } }, 'spec.restartPolicy.delayMs'],
    [{ updateConfig: { parallelism: limits.replicasPerService + 1 } }, 'spec.updateConfig.parallelism'],
    [{ placement: { maxReplicasPerNode: 1e9 } }, 'spec.placement.maxReplicasPerNode'],
  ];
  for (const [extra, field] of cases) {
    const r = refusal({ image, ...extra });
    assert.equal(r.field, field, `${JSON.stringify(extra).slice(0, 80)}: ${r.message.slice(0, 200)}`);
    assert.match(r.message, /at most|NUL|control/, r.message.slice(0, 200));
  }
});

test('the service name and the spec at the limits are still accepted', () => {
  const spec = {
    image,
    replicas: limits.replicasPerService,
    ports: many(limits.ports, (i) => ({ target: 1 + i })),
    env: manyKeys(limits.envEntries),
    labels: manyKeys(limits.labels),
  };
  const parsed = parseOrThrow(createServiceSchema, { name: 'n'.repeat(63), spec });
  assert.equal(parsed.spec.ports.length, limits.ports);
});
