import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSubnet, isIpv4, normaliseRouteDst, numberToIpv4, ipv4ToNumber, parseSubnet, subnetsOverlap } from './ipv4.js';

test('isIpv4 accepts dotted quads only', () => {
  assert.ok(isIpv4('10.240.3.0'));
  assert.ok(isIpv4('255.255.255.255'));
  for (const bad of ['10.240.3', '10.240.3.256', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d', '', '1.2.3.-1']) assert.equal(isIpv4(bad), false, bad);
});

test('numbers and addresses round-trip', () => {
  assert.equal(ipv4ToNumber('10.240.3.1'), 10 * 2 ** 24 + 240 * 2 ** 16 + 3 * 256 + 1);
  assert.equal(numberToIpv4(ipv4ToNumber('192.168.255.254')), '192.168.255.254');
  assert.equal(numberToIpv4(ipv4ToNumber('255.255.255.255')), '255.255.255.255');
});

test('parseSubnet refuses host bits, bad prefixes and bad addresses', () => {
  assert.deepEqual(parseSubnet('10.240.3.0/24'), { network: '10.240.3.0', prefix: 24 });
  assert.deepEqual(parseSubnet('10.1.2.3/32'), { network: '10.1.2.3', prefix: 32 });
  assert.throws(() => parseSubnet('10.240.3.5/24'), /host bits set \(expected 10\.240\.3\.0\/24\)/);
  assert.throws(() => parseSubnet('10.240.3.0/33'), /prefix out of range/);
  assert.throws(() => parseSubnet('10.240.3.0/0'), /prefix out of range/);
  assert.throws(() => parseSubnet('10.240.3.0'), /not an IPv4 subnet/);
  assert.throws(() => parseSubnet('10.240.300.0/24'), /not an IPv4 subnet/);
  assert.equal(formatSubnet(parseSubnet('10.240.0.0/16')), '10.240.0.0/16');
});

test('subnetsOverlap', () => {
  const s = parseSubnet;
  assert.equal(subnetsOverlap(s('10.240.1.0/24'), s('10.240.2.0/24')), false);
  assert.equal(subnetsOverlap(s('10.240.1.0/24'), s('10.240.0.0/16')), true);
  assert.equal(subnetsOverlap(s('10.240.1.128/25'), s('10.240.1.0/24')), true);
  assert.equal(subnetsOverlap(s('10.240.1.0/25'), s('10.240.1.128/25')), false);
});

test('normaliseRouteDst adds /32 to host routes only', () => {
  assert.equal(normaliseRouteDst('10.1.2.3'), '10.1.2.3/32');
  assert.equal(normaliseRouteDst('10.240.2.0/24'), '10.240.2.0/24');
});
