import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMount } from './mount.js';

test('bind, volume and tmpfs mounts', () => {
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), { type: 'bind', source: '/a', target: '/b', readOnly: true });
  assert.deepEqual(parseMount('type=volume,source=v,target=/d'), { type: 'volume', source: 'v', target: '/d', readOnly: false });
  assert.deepEqual(parseMount('type=tmpfs,target=/t'), { type: 'tmpfs', target: '/t', readOnly: false });
  assert.deepEqual(parseMount('src=v,dst=/d,ro=false'), { type: 'volume', source: 'v', target: '/d', readOnly: false });
  assert.deepEqual(parseMount('target=/d'), { type: 'volume', target: '/d', readOnly: false });
});

test('mount errors', () => {
  assert.throws(() => parseMount('type=bind,source=rel,target=/b'), /absolute source/);
  assert.throws(() => parseMount('type=tmpfs,source=x,target=/t'), /takes no source/);
  assert.throws(() => parseMount('type=nfs,target=/t'), /not a mount type/);
  assert.throws(() => parseMount('source=v'), /target= is required/);
  assert.throws(() => parseMount('target=rel'), /absolute path/);
  assert.throws(() => parseMount('target=/t,readonly=maybe'), /true or false/);
  assert.throws(() => parseMount('target=/t,color=red'), /unknown field "color"/);
});
