import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveVtepMac, isUnicastMac, normaliseMac } from './vtep-mac.js';

test('deriveVtepMac is stable, locally administered and unicast, and differs per seed', () => {
  const a = deriveVtepMac('node-a');
  assert.equal(a, deriveVtepMac('node-a'));
  assert.notEqual(a, deriveVtepMac('node-b'));
  assert.match(a, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  const first = Number.parseInt(a.slice(0, 2), 16);
  assert.equal(first & 0x02, 0x02, 'locally administered bit');
  assert.equal(first & 0x01, 0, 'multicast bit');
  for (let i = 0; i < 200; i++) assert.ok(isUnicastMac(deriveVtepMac(`n${i}`)));
});

test('normaliseMac and isUnicastMac', () => {
  assert.equal(normaliseMac('0E:AA:bb:01:02:03'), '0e:aa:bb:01:02:03');
  assert.equal(normaliseMac('0e:aa:bb:01:02'), undefined);
  assert.equal(normaliseMac('0e-aa-bb-01-02-03'), undefined);
  assert.equal(isUnicastMac('0e:00:00:00:00:01'), true);
  assert.equal(isUnicastMac('01:00:5e:00:00:01'), false);
  assert.equal(isUnicastMac('ff:ff:ff:ff:ff:ff'), false);
});
