import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShoalError } from '../../api/errors.js';
import { serviceSpecSchema } from '../../api/service-spec.js';
import { buildCreateRequest, nameFromImage } from './create-request.js';

test('create flags build the full spec', () => {
  const { name, spec } = buildCreateRequest('nginx:1.25', ['-g', 'daemon off;'], {
    name: 'web',
    replicas: '3',
    constraint: ['node.labels.zone==a', 'node.role==worker'],
    placementPref: ['spread=node.labels.zone'],
    replicasMaxPerNode: '2',
    reserveCpu: '0.5',
    reserveMemory: '64M',
    limitCpu: '1',
    limitMemory: '1.5G',
    publish: ['8080:80', 'published=5353,target=53,protocol=udp'],
    mount: ['type=bind,source=/a,target=/b,readonly', 'type=tmpfs,target=/t'],
    env: ['A=1', 'FROM_SHELL'],
    label: ['team=web'],
    containerLabel: ['x=y'],
    restartCondition: 'on-failure',
    restartDelay: '10s',
    restartMaxAttempts: '3',
    restartWindow: '1m',
    stopSignal: 'sigquit',
    stopGracePeriod: '30s',
    updateParallelism: '2',
    updateDelay: '1m30s',
    updateOrder: 'start-first',
    updateFailureAction: 'rollback',
    updateMonitor: '500ms',
    updateMaxFailureRatio: '0.25',
    rollbackParallelism: '0',
    rollbackOrder: 'stop-first',
    workdir: '/app',
    user: 'www',
    hostname: 'h',
    init: true,
    entrypoint: 'nginx -c /etc/x.conf',
    historyLimit: '2',
  }, (k) => (k === 'FROM_SHELL' ? 'shell' : undefined));
  assert.equal(name, 'web');
  assert.equal(spec.image, 'nginx:1.25');
  assert.equal(spec.replicas, 3);
  assert.deepEqual(spec.args, ['-g', 'daemon off;']);
  assert.deepEqual(spec.command, ['nginx', '-c', '/etc/x.conf']);
  assert.deepEqual(spec.placement, {
    constraints: ['node.labels.zone==a', 'node.role==worker'],
    preferences: [{ spread: 'node.labels.zone' }],
    maxReplicasPerNode: 2,
    colocateWith: [],
    avoid: [],
  });
  assert.deepEqual(spec.resources, {
    reservations: { nanoCpus: 5e8, memoryBytes: 64 * 1024 ** 2 },
    limits: { nanoCpus: 1e9, memoryBytes: 1.5 * 1024 ** 3 },
  });
  assert.deepEqual(spec.ports, [
    { published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' },
    { published: 5353, target: 53, protocol: 'udp', mode: 'ingress' },
  ]);
  assert.equal(spec.mounts.length, 2);
  assert.deepEqual(spec.env, { A: '1', FROM_SHELL: 'shell' });
  assert.deepEqual(spec.labels, { team: 'web' });
  assert.deepEqual(spec.containerLabels, { x: 'y' });
  assert.deepEqual(spec.restartPolicy, { condition: 'on-failure', delayMs: 10_000, maxAttempts: 3, windowMs: 60_000 });
  assert.equal(spec.stopSignal, 'SIGQUIT');
  assert.equal(spec.stopGracePeriodMs, 30_000);
  assert.deepEqual(spec.updateConfig, {
    parallelism: 2,
    delayMs: 90_000,
    order: 'start-first',
    monitorMs: 500,
    failureAction: 'rollback',
    maxFailureRatio: 0.25,
  });
  assert.equal(spec.rollbackConfig.parallelism, 0);
  assert.equal(spec.workdir, '/app');
  assert.equal(spec.user, 'www');
  assert.equal(spec.hostname, 'h');
  assert.equal(spec.init, true);
  assert.equal(spec.taskHistoryLimit, 2);
  // What the CLI sends is exactly what the manager's schema accepts.
  assert.deepEqual(serviceSpecSchema.parse(spec), spec);
});

test('no flags: a default spec and a name taken from the image', () => {
  const { name, spec } = buildCreateRequest('ghcr.io/acme/web-api:1.2@sha256:abc', [], {});
  assert.equal(name, 'web-api');
  assert.deepEqual(spec, serviceSpecSchema.parse({ image: 'ghcr.io/acme/web-api:1.2@sha256:abc' }));
  assert.equal(nameFromImage('localhost:5000/app'), 'app');
});

test('bad values name the create flag', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ publish: ['80:abc'] }, '--publish "80:abc": "abc" is not a valid port'],
    [{ replicas: 'three' }, '--replicas "three": "three" is not a whole number'],
    [{ env: ['=x'] }, '--env "=x": "=x" needs a key (KEY=VALUE)'],
    [{ mode: 'daemon' }, '--mode "daemon": "daemon" must be one of replicated, global'],
    [{ mode: 'global', replicas: '2' }, '--replicas "2": applies only to replicated services'],
    [{ reserveMemory: 'lots' }, '--reserve-memory "lots": "lots" is not a size (e.g. 512k, 64M, 1.5G, or bytes)'],
    [{ constraint: ['zone=a'] }, '--constraint "zone=a": "zone=a" is not a constraint: expected KEY==VALUE or KEY!=VALUE'],
    [{ updateMaxFailureRatio: '2' }, '--update-max-failure-ratio "2": "2" must be a number from 0 to 1'],
  ];
  for (const [opts, message] of cases) {
    assert.throws(
      () => buildCreateRequest('nginx', [], opts),
      (e: unknown) => e instanceof ShoalError && e.code === 'invalid_argument' && e.message === message,
      message,
    );
  }
});
