import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Permission } from '../http/route.js';
import { isGranted, rolePermissions, roles, type Principal } from './role-permissions.js';

const as = (role: Principal['role']): Principal => ({ admin: false, ...(role ? { role } : {}) });

test('the role definitions of issue 4 hold', () => {
  const granted = (p: Permission): string[] => roles.filter((r) => isGranted(p, as(r)));
  assert.deepEqual(granted('node:write'), ['owner'], 'member reads nodes only; restricted makes no node changes');
  assert.deepEqual(granted('node:read'), [...roles]);
  assert.deepEqual(granted('service:write'), ['owner', 'member', 'restricted']);
  assert.deepEqual(granted('host:mount'), ['owner'], 'binding host paths outside the allowed ones is root on the node');
  assert.deepEqual(granted('secret:read'), ['owner', 'member'], 'restricted and readonly never read secrets');
  assert.deepEqual(granted('secret:write'), ['owner', 'member']);
  assert.deepEqual(granted('apikey:write'), ['owner']);
  assert.deepEqual(granted('cluster:admin'), []);
  assert.deepEqual(granted('account:admin'), []);
  assert.deepEqual(granted('environment:admin'), [], 'admins manage environments');
  assert.deepEqual(granted('member:read'), [...roles], 'every role sees who else works there');
  assert.deepEqual(granted('member:write'), ['owner'], 'owners manage members');
});

test('admins get everything; no credential gets only public; a member of no role gets only authenticated', () => {
  for (const p of Object.keys(rolePermissions) as Permission[]) {
    assert.equal(isGranted(p, { admin: true }), true, p);
    assert.equal(isGranted(p, undefined), p === 'public', p);
    assert.equal(isGranted(p, as(undefined)), p === 'public' || p === 'authenticated', p);
  }
});
