import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '../../api/errors.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import { applyServiceFlags } from './apply-flags.js';

const current = serviceSpecSchema.parse({
  image: 'nginx:1.24',
  replicas: 2,
  args: ['a'],
  command: ['nginx'],
  env: { A: '1', B: '2' },
  labels: { team: 'web', old: 'x' },
  containerLabels: { c: '1' },
  ports: [
    { published: 8080, target: 80 },
    { published: 9090, target: 90, protocol: 'udp' },
  ],
  mounts: [{ type: 'volume', source: 'data', target: '/data' }],
  placement: { constraints: ['node.role==worker', 'node.labels.zone==a'] },
  workdir: '/w',
});

test('update flags change only what they name; the input is left alone', () => {
  const before = structuredClone(current);
  const spec = applyServiceFlags(current, {
    image: 'nginx:1.25',
    envAdd: ['C=3', 'A=10'],
    envRm: ['B'],
    labelAdd: ['new=y'],
    labelRm: ['old'],
    containerLabelRm: ['c'],
    constraintRm: ['node.role == worker'],
    constraintAdd: ['node.labels.disk==ssd'],
    publishRm: ['9090'],
    publishAdd: ['8080:8000', '443:443'],
    mountRm: ['/data'],
    mountAdd: ['type=tmpfs,target=/tmp'],
    replicas: '5',
    limitMemory: '128M',
    updateParallelism: '3',
    rollbackMonitor: '10s',
    workdir: '',
    init: true,
  });
  assert.deepEqual(current, before);
  assert.equal(spec.image, 'nginx:1.25');
  assert.deepEqual(spec.env, { A: '10', C: '3' });
  assert.deepEqual(spec.labels, { team: 'web', new: 'y' });
  assert.deepEqual(spec.containerLabels, {});
  assert.deepEqual(spec.placement.constraints, ['node.labels.zone==a', 'node.labels.disk==ssd']);
  // 8080 is published again, so its old mapping goes.
  assert.deepEqual(spec.ports, [
    { published: 8080, target: 8000, protocol: 'tcp', mode: 'ingress' },
    { published: 443, target: 443, protocol: 'tcp', mode: 'ingress' },
  ]);
  assert.deepEqual(spec.mounts, [{ type: 'tmpfs', target: '/tmp', readOnly: false }]);
  assert.equal(spec.replicas, 5);
  assert.equal(spec.resources.limits.memoryBytes, 128 * 1024 ** 2);
  assert.equal(spec.updateConfig.parallelism, 3);
  assert.equal(spec.rollbackConfig.monitorMs, 10_000);
  assert.equal(spec.workdir, undefined);
  assert.equal(spec.init, true);
  assert.deepEqual(spec.args, ['a']);
  assert.deepEqual(spec.command, ['nginx']);
});

test('--args and --entrypoint replace or clear', () => {
  const spec = applyServiceFlags(current, { args: 'x  y z', entrypoint: '' });
  assert.deepEqual(spec.args, ['x', 'y', 'z']);
  assert.equal(spec.command, undefined);
  assert.equal(applyServiceFlags(current, { args: '' }).args, undefined);
});

test('no flags: the same spec', () => {
  assert.deepEqual(applyServiceFlags(current, {}), current);
});

test('errors name the update flag', () => {
  assert.throws(
    () => applyServiceFlags(current, { publishAdd: ['80:abc'] }),
    (e: unknown) => e instanceof ShoalError && e.message === '--publish-add "80:abc": "abc" is not a valid port' && e.field === '--publish-add',
  );
  assert.throws(() => applyServiceFlags(current, { restartDelay: 'soon' }), /^ShoalError: --restart-delay "soon"/);
  assert.throws(() => applyServiceFlags(current, { image: ' ' }), /--image " ": must not be empty/);
});

test('--force bumps forceUpdate, which is part of what tasks run, so every task is replaced', async () => {
  const { taskSpecKey } = await import('../../manager/orchestrator/spec-equality.js');
  const input = serviceSpecSchema.parse({ image: 'a:1' });
  const forced = applyServiceFlags(input, { force: true });
  assert.equal(forced.forceUpdate, input.forceUpdate + 1);
  assert.notEqual(taskSpecKey(forced), taskSpecKey(input));
});
