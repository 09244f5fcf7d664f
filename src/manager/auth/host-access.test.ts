import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MountSpec } from '../../api/service-spec.js';
import { isUnderHostPath, normalizeHostPath } from '../../api/host-paths.js';
import { hostAccessNeeds } from './host-access.js';

const bind = (source: string): MountSpec => ({ type: 'bind', source, target: '/x', readOnly: false });
const needs = (mounts: MountSpec[], allowed: string[] = []): string[] => hostAccessNeeds({ mounts }, allowed).map((n) => `${n.index}:${n.path}`);

test('every bind needs host access when the environment allows no host path', () => {
  assert.deepEqual(needs([bind('/var/run/docker.sock')]), ['0:/var/run/docker.sock']);
  assert.deepEqual(needs([bind('/')]), ['0:/']);
  assert.deepEqual(needs([{ type: 'volume', source: 'data', target: '/d', readOnly: false }, { type: 'tmpfs', target: '/t', readOnly: false }, bind('/etc')]), ['2:/etc']);
});

test('volumes and tmpfs need nothing; a spec without mounts needs nothing', () => {
  assert.deepEqual(needs([{ type: 'volume', source: 'data', target: '/d', readOnly: false }, { type: 'tmpfs', target: '/t', readOnly: true }]), []);
  assert.deepEqual(needs([]), []);
});

test('an allowed path covers itself and what is below it, matched on whole segments', () => {
  const allowed = ['/srv/data'];
  assert.deepEqual(needs([bind('/srv/data')], allowed), []);
  assert.deepEqual(needs([bind('/srv/data/')], allowed), []);
  assert.deepEqual(needs([bind('/srv/data/pg/main')], allowed), []);
  assert.deepEqual(needs([bind('/srv//data/./pg')], allowed), [], 'normalized before matching');
  assert.deepEqual(needs([bind('/srv/database')], allowed), ['0:/srv/database']);
  assert.deepEqual(needs([bind('/srv')], allowed), ['0:/srv']);
  assert.deepEqual(needs([bind('/var/run/docker.sock')], allowed), ['0:/var/run/docker.sock']);
  assert.deepEqual(needs([bind('/srv/data/x'), bind('/etc/shadow'), bind('/srv/data2')], ['/srv/data', '/opt']), ['1:/etc/shadow', '2:/srv/data2']);
});

test('a source with ".." is never covered, whatever it resolves to lexically', () => {
  assert.deepEqual(needs([bind('/srv/data/../../etc')], ['/srv/data']), ['0:/srv/data/../../etc']);
  assert.deepEqual(needs([bind('/srv/data/x/..')], ['/srv/data']), ['0:/srv/data/x/..']);
});

test('normalizeHostPath and isUnderHostPath', () => {
  assert.equal(normalizeHostPath('/a//b/./c/'), '/a/b/c');
  assert.equal(normalizeHostPath('/'), '/');
  assert.equal(normalizeHostPath('//'), '/');
  assert.equal(normalizeHostPath('a/b'), undefined);
  assert.equal(normalizeHostPath(''), undefined);
  assert.equal(normalizeHostPath('/a/../b'), undefined);
  assert.equal(isUnderHostPath('/a/b', '/a'), true);
  assert.equal(isUnderHostPath('/a', '/a'), true);
  assert.equal(isUnderHostPath('/ab', '/a'), false);
  assert.equal(isUnderHostPath('/anything', '/'), true);
});
