import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addressAt,
  childAt,
  childCount,
  childIndex,
  containsAddress,
  containsCidr,
  formatCidr,
  formatIpv4,
  freeIndices,
  lastOf,
  maskOf,
  nextFree,
  overlaps,
  parseCidr,
  parseIpv4,
  sizeOf,
  split,
  type Cidr,
} from './cidr.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  assert.ok(c, `${text} parses`);
  return c;
};

describe('parseIpv4 / formatIpv4', () => {
  test('round-trips the edges and typical addresses', () => {
    for (const text of ['0.0.0.0', '255.255.255.255', '10.240.0.1', '192.168.1.254', '1.2.3.4', '128.0.0.0']) {
      const n = parseIpv4(text);
      assert.ok(n !== undefined, text);
      assert.equal(formatIpv4(n), text);
    }
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIpv4('10.240.0.1'), (10 * 2 ** 24) + (240 << 16) + 1);
  });

  test('refuses malformed text', () => {
    for (const text of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.-1', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', 'a.b.c.d', '1..2.3', '1.2.3.4/24', '0x1.2.3.4', '1e2.0.0.1', '1.2.3.1000']) {
      assert.equal(parseIpv4(text), undefined, JSON.stringify(text));
    }
  });
});

describe('maskOf', () => {
  test('gives the netmask of every prefix length', () => {
    assert.equal(maskOf(0), 0);
    assert.equal(maskOf(1), 0x80000000);
    assert.equal(maskOf(12), 0xfff00000);
    assert.equal(maskOf(24), 0xffffff00);
    assert.equal(maskOf(32), 0xffffffff);
    for (let p = 0; p <= 32; p++) assert.equal(maskOf(p), p === 0 ? 0 : 2 ** 32 - 2 ** (32 - p), `/${p}`);
  });
});

describe('parseCidr / formatCidr', () => {
  test('round-trips blocks of every prefix length', () => {
    for (let p = 0; p <= 32; p++) {
      const text = `${formatIpv4((parseIpv4('10.240.255.255')! & maskOf(p)) >>> 0)}/${p}`;
      assert.equal(formatCidr(cidr(text)), text);
    }
    assert.deepEqual(parseCidr('10.240.0.0/12'), { base: parseIpv4('10.240.0.0'), prefix: 12 });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { base: 0, prefix: 0 });
    assert.deepEqual(parseCidr('255.255.255.255/32'), { base: 0xffffffff, prefix: 32 });
  });

  test('refuses host bits, bad prefixes and malformed text', () => {
    for (const text of ['10.240.0.1/12', '10.241.0.0/12', '1.2.3.4', '1.2.3.0/33', '1.2.3.0/-1', '1.2.3.0/', '1.2.3.0/024', '1.2.3.0/2a', '/24', '1.2.3/24', '1.2.3.0/24/1', '300.0.0.0/8']) {
      assert.equal(parseCidr(text), undefined, text);
    }
  });
});

describe('size, last and containment', () => {
  test('size and last address', () => {
    assert.equal(sizeOf(cidr('10.240.0.0/12')), 2 ** 20);
    assert.equal(sizeOf(cidr('0.0.0.0/0')), 2 ** 32);
    assert.equal(sizeOf(cidr('1.2.3.4/32')), 1);
    assert.equal(formatIpv4(lastOf(cidr('10.240.0.0/12'))), '10.255.255.255');
    assert.equal(formatIpv4(lastOf(cidr('10.240.16.64/26'))), '10.240.16.127');
    assert.equal(lastOf(cidr('0.0.0.0/0')), 0xffffffff);
  });

  test('containsAddress includes both ends and nothing outside', () => {
    const c = cidr('10.240.16.0/20');
    assert.ok(containsAddress(c, parseIpv4('10.240.16.0')!));
    assert.ok(containsAddress(c, parseIpv4('10.240.31.255')!));
    assert.ok(!containsAddress(c, parseIpv4('10.240.15.255')!));
    assert.ok(!containsAddress(c, parseIpv4('10.240.32.0')!));
  });

  test('containsCidr: itself, children, not parents, siblings or partial overlaps', () => {
    const c = cidr('10.240.16.0/20');
    assert.ok(containsCidr(c, c));
    assert.ok(containsCidr(c, cidr('10.240.31.192/26')));
    assert.ok(containsCidr(c, cidr('10.240.16.1/32')));
    assert.ok(!containsCidr(c, cidr('10.240.0.0/12')));
    assert.ok(!containsCidr(c, cidr('10.240.32.0/20')));
    assert.ok(!containsCidr(cidr('10.240.16.0/21'), cidr('10.240.16.0/20')));
  });

  test('overlaps is symmetric and exact at the edges', () => {
    const pairs: Array<[string, string, boolean]> = [
      ['10.240.16.0/20', '10.240.31.0/24', true],
      ['10.240.16.0/20', '10.240.32.0/24', false],
      ['10.240.16.0/20', '10.240.15.0/24', false],
      ['10.0.0.0/8', '10.240.0.0/12', true],
      ['0.0.0.0/0', '192.168.0.0/16', true],
      ['10.240.16.0/26', '10.240.16.64/26', false],
    ];
    for (const [a, b, expected] of pairs) {
      assert.equal(overlaps(cidr(a), cidr(b)), expected, `${a} ${b}`);
      assert.equal(overlaps(cidr(b), cidr(a)), expected, `${b} ${a}`);
    }
  });
});

describe('splitting', () => {
  test('childCount for the default plan: 256 node subnets, 64 ranges each, 64 addresses each', () => {
    assert.equal(childCount(cidr('10.240.0.0/12'), 20), 256);
    assert.equal(childCount(cidr('10.240.16.0/20'), 26), 64);
    assert.equal(childCount(cidr('10.240.16.64/26'), 32), 64);
    assert.equal(childCount(cidr('10.240.16.0/20'), 20), 1);
    assert.throws(() => childCount(cidr('10.240.16.0/20'), 19), RangeError);
    assert.throws(() => childCount(cidr('10.240.16.0/20'), 33), RangeError);
  });

  test('childAt and childIndex are inverse for every child', () => {
    const parent = cidr('10.240.0.0/12');
    for (let i = 0; i < 256; i++) {
      const child = childAt(parent, 20, i);
      assert.equal(child.prefix, 20);
      assert.ok(containsCidr(parent, child));
      assert.equal(childIndex(parent, child), i);
    }
    assert.equal(formatCidr(childAt(parent, 20, 1)), '10.240.16.0/20');
    assert.equal(formatCidr(childAt(parent, 20, 255)), '10.255.240.0/20');
    assert.throws(() => childAt(parent, 20, 256), RangeError);
    assert.throws(() => childAt(parent, 20, -1), RangeError);
    assert.throws(() => childAt(parent, 20, 1.5), RangeError);
    assert.equal(childIndex(parent, cidr('10.0.0.0/20')), undefined);
    assert.equal(childIndex(cidr('10.240.16.0/20'), cidr('10.240.0.0/12')), undefined);
  });

  test('split covers the parent exactly, in order, without overlap', () => {
    const parent = cidr('10.240.16.0/20');
    const blocks = split(parent, 26);
    assert.equal(blocks.length, 64);
    assert.equal(blocks[0]!.base, parent.base);
    for (let i = 1; i < blocks.length; i++) {
      assert.equal(blocks[i]!.base, lastOf(blocks[i - 1]!) + 1);
      assert.ok(!overlaps(blocks[i]!, blocks[i - 1]!));
    }
    assert.equal(lastOf(blocks.at(-1)!), lastOf(parent));
    assert.deepEqual(split(parent, 20), [parent]);
  });

  test('splitting near the top of the address space stays unsigned', () => {
    const top = cidr('255.255.255.0/24');
    const blocks = split(top, 26);
    assert.equal(formatCidr(blocks[3]!), '255.255.255.192/26');
    assert.equal(formatIpv4(lastOf(blocks[3]!)), '255.255.255.255');
  });
});

describe('addressAt', () => {
  test('gives offsets within the block only', () => {
    const range = cidr('10.240.16.64/26');
    assert.equal(formatIpv4(addressAt(range, 0)), '10.240.16.64');
    assert.equal(formatIpv4(addressAt(range, 1)), '10.240.16.65');
    assert.equal(formatIpv4(addressAt(range, 63)), '10.240.16.127');
    assert.throws(() => addressAt(range, 64), RangeError);
    assert.throws(() => addressAt(range, -1), RangeError);
  });
});

describe('nextFree / freeIndices', () => {
  test('lowest untaken index in the window', () => {
    assert.equal(nextFree(new Set(), 0, 10), 0);
    assert.equal(nextFree(new Set([0, 1, 2]), 0, 10), 3);
    assert.equal(nextFree(new Set([2, 3]), 2, 10), 4);
    assert.equal(nextFree(new Set([1, 3]), 1, 10), 2);
    assert.equal(nextFree(new Set([5]), 5, 6), undefined);
    assert.equal(nextFree(new Set(), 4, 4), undefined);
    assert.equal(nextFree(new Set([0, 1, 2, 3]), 0, 4), undefined);
  });

  test('every untaken index in order', () => {
    assert.deepEqual(freeIndices(new Set([2, 4]), 1, 6), [1, 3, 5]);
    assert.deepEqual(freeIndices(new Set([1, 2]), 1, 3), []);
  });
});
