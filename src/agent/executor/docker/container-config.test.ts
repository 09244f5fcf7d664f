import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTestTask } from '../../../../test/executor-contract.js';
import { containerConfig, healthcheck } from './container-config.js';
import { healthFromEvent } from './health-events.js';

void test('health check durations become nanoseconds; NONE turns the image check off', () => {
  assert.deepEqual(healthcheck({ test: ['CMD-SHELL', 'wget -q -O- localhost'], intervalMs: 500, timeoutMs: 2000, retries: 2, startPeriodMs: 1500 }), {
    Test: ['CMD-SHELL', 'wget -q -O- localhost'],
    Interval: 500_000_000,
    Timeout: 2_000_000_000,
    StartPeriod: 1_500_000_000,
    Retries: 2,
  });
  assert.deepEqual(healthcheck({ test: ['NONE'], intervalMs: 1, timeoutMs: 1, retries: 1, startPeriodMs: 1 }), { Test: ['NONE'] });
  assert.equal(containerConfig(makeTestTask({ image: 'x' }), 'n1', {}).Healthcheck, undefined, "no spec: the image's own check applies");
});

void test('entrypoint, command and args', () => {
  const config = (spec: Parameters<typeof makeTestTask>[0]): [unknown, unknown] => {
    const c = containerConfig(makeTestTask(spec), 'n1', {});
    return [c.Entrypoint, c.Cmd];
  };
  assert.deepEqual(config({ image: 'x' }), [undefined, undefined]);
  assert.deepEqual(config({ image: 'x', args: ['-v'] }), [undefined, ['-v']]);
  assert.deepEqual(config({ image: 'x', command: ['app'], args: ['-v'] }), [['app'], ['-v']]);
  assert.deepEqual(config({ image: 'x', entrypoint: ['tini', '--'], args: ['app'] }), [['tini', '--'], ['app']]);
  assert.deepEqual(config({ image: 'x', entrypoint: ['tini', '--'], command: ['app'], args: ['-v'] }), [['tini', '--'], ['app', '-v']]);
  assert.deepEqual(config({ image: 'x', entrypoint: [] }), [[], undefined], 'an empty entrypoint clears the image one');
});

void test('task files are bind-mounted read-only after the spec mounts', () => {
  const task = makeTestTask({ image: 'x', mounts: [{ type: 'tmpfs', target: '/scratch' }] });
  const mounts = containerConfig(task, 'n1', {}, [{ hostPath: '/run/shoal/n1/tasks/t/secret-0', target: '/run/secrets/db' }]).HostConfig?.Mounts;
  assert.deepEqual(mounts?.map((m) => [m.Type, m.Source, m.Target, m.ReadOnly]), [
    ['tmpfs', '', '/scratch', false],
    ['bind', '/run/shoal/n1/tasks/t/secret-0', '/run/secrets/db', true],
  ]);
});

void test('health_status events are read; others are not', () => {
  assert.deepEqual(healthFromEvent({ Type: 'container', Action: 'health_status: unhealthy', Actor: { ID: 'abc' } }), { containerId: 'abc', health: 'unhealthy' });
  assert.deepEqual(healthFromEvent({ Action: 'health_status: healthy', id: 'def' }), { containerId: 'def', health: 'healthy' });
  assert.equal(healthFromEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc' } }), undefined);
  assert.equal(healthFromEvent({ Type: 'container', Action: 'health_status: weird', Actor: { ID: 'abc' } }), undefined);
  assert.equal(healthFromEvent({ Type: 'image', Action: 'health_status: healthy', Actor: { ID: 'abc' } }), undefined);
});
