import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostUpstreams, parseResolvConf } from './upstream-servers.js';

test('parseResolvConf: nameservers in order, loopback stubs kept, our own address and junk skipped', () => {
  const text = ['# generated', 'search example.com', 'nameserver 127.0.0.53', 'nameserver 10.0.0.2', '  nameserver 2001:db8::1', 'nameserver fe80::1%eth0', 'nameserver not-an-ip', 'nameserver 10.0.0.2', 'options ndots:2', 'nameserver 172.17.0.1'].join('\n');
  assert.deepEqual(parseResolvConf(text, { address: '172.17.0.1', port: 53 }), [
    { address: '127.0.0.53', port: 53 },
    { address: '10.0.0.2', port: 53 },
    { address: '2001:db8::1', port: 53 },
    { address: 'fe80::1%eth0', port: 53 },
  ]);
  // Listening elsewhere than port 53, the same address is no loop.
  assert.equal(parseResolvConf('nameserver 172.17.0.1', { address: '172.17.0.1', port: 5353 }).length, 1);
});

test('hostUpstreams reads a file; a missing file means no upstream', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-dns-'));
  try {
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 192.0.2.1\n');
    assert.deepEqual(await hostUpstreams(undefined, join(dir, 'resolv.conf')), [{ address: '192.0.2.1', port: 53 }]);
    assert.deepEqual(await hostUpstreams(undefined, join(dir, 'missing')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
