import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClusterCidr } from './cluster-cidr.js';
import { ParseError } from './parse-error.js';

test('--cluster-cidr takes an IPv4 block of /8 to /16 without host bits', () => {
  assert.equal(parseClusterCidr('10.240.0.0/12'), '10.240.0.0/12');
  assert.equal(parseClusterCidr(' 172.20.0.0/16 '), '172.20.0.0/16');
  assert.equal(parseClusterCidr('10.0.0.0/8'), '10.0.0.0/8');
});

test('--cluster-cidr refuses what the address plan cannot use, saying why', () => {
  const cases: Array<[string, RegExp]> = [
    ['10.240.0.0', /IPv4 block/],
    ['fd00::/8', /IPv4 block/],
    ['10.240.0.0/17', /\/8 to \/16.*\/20/],
    ['10.0.0.0/7', /\/8 to \/16/],
    ['10.240.0.0/x', /\/8 to \/16/],
    ['10.240.1.0/12', /host bits set: did you mean 10\.240\.0\.0\/12\?/],
    ['127.0.0.0/8', /loopback/],
    ['169.254.0.0/16', /link-local/],
    ['230.0.0.0/8', /multicast/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseClusterCidr(text), (err: unknown) => err instanceof ParseError && message.test(err.message), text);
});
