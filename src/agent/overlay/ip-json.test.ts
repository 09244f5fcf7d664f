import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findInterfaceWithAddress, parseFdb, parseIpv4Addresses, parseLink, parseNeighbours, parseRoutes } from './ip-json.js';

// Captured from iproute2 6.1 on kernel 6.18 (trimmed of fields the parsers ignore).
const linkJson = JSON.stringify([
  {
    ifindex: 4, ifname: 'shoal.1', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, address: 'EE:06:f6:bb:76:46',
    linkinfo: { info_kind: 'vxlan', info_data: { id: 7, local: '10.99.0.1', link: 'v0', port_range: { low: 0, high: 0 }, port: 8472, learning: false, ttl: 0 } },
  },
]);
const addrJson = JSON.stringify([
  { ifindex: 1, ifname: 'lo', mtu: 65536, addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifindex: 3, ifname: 'v0', mtu: 1500, addr_info: [{ family: 'inet', local: '10.99.0.1', prefixlen: 24 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
  { ifindex: 4, ifname: 'shoal.1', mtu: 1450, addr_info: [{ family: 'inet', local: '10.240.1.0', prefixlen: 32 }, { family: 'inet6', local: 'fe80::2', prefixlen: 64 }] },
]);

test('parseLink reads the VXLAN settings, MTU, up flag and MAC', () => {
  assert.deepEqual(parseLink(linkJson), { kind: 'vxlan', vni: 7, port: 8472, local: '10.99.0.1', underlayDevice: 'v0', learning: false, mtu: 1450, up: true, mac: 'ee:06:f6:bb:76:46' });
  assert.equal(parseLink('[]'), undefined);
  assert.equal(parseLink(''), undefined);
  const plain = parseLink(JSON.stringify([{ ifname: 'shoal.1', flags: ['BROADCAST'], mtu: 1500, address: '00:11:22:33:44:55' }]));
  assert.deepEqual(plain, { kind: '', mtu: 1500, up: false, mac: '00:11:22:33:44:55' });
});

test('addresses: the device’s IPv4 ones, and the interface holding an address', () => {
  assert.deepEqual(parseIpv4Addresses(addrJson), ['127.0.0.1/8', '10.99.0.1/24', '10.240.1.0/32']);
  assert.deepEqual(findInterfaceWithAddress(addrJson, '10.99.0.1'), { name: 'v0', mtu: 1500 });
  assert.equal(findInterfaceWithAddress(addrJson, '10.99.0.9'), undefined);
});

test('routes, neighbours and FDB entries', () => {
  assert.deepEqual(parseRoutes(JSON.stringify([{ dst: '10.240.2.0/24', gateway: '10.240.2.0', flags: ['onlink'] }, { dst: '10.9.9.9', flags: [] }])), [
    { dst: '10.240.2.0/24', gateway: '10.240.2.0', onlink: true },
    { dst: '10.9.9.9/32', onlink: false },
  ]);
  assert.deepEqual(parseNeighbours(JSON.stringify([{ dst: '10.240.2.0', lladdr: '0E:00:00:00:00:02', state: ['PERMANENT'] }, { dst: '10.240.5.0', state: ['FAILED'] }])), [
    { dst: '10.240.2.0', lladdr: '0e:00:00:00:00:02', permanent: true },
    { dst: '10.240.5.0', permanent: false },
  ]);
  assert.deepEqual(parseFdb(JSON.stringify([{ mac: '0e:00:00:00:00:02', dst: '10.99.0.2', flags: ['self'], state: 'permanent' }, { mac: '33:33:00:00:00:01', flags: ['self'], state: 'permanent' }])), [
    { mac: '0e:00:00:00:00:02', dst: '10.99.0.2' },
  ]);
});

test('output that is not the expected JSON throws naming the command', () => {
  assert.throws(() => parseRoutes('10.240.2.0/24 via 10.240.2.0 dev shoal.1 onlink'), /ip -j route show: output is not JSON/);
  assert.throws(() => parseFdb(JSON.stringify({ mac: 'x' })), /bridge -j fdb show: unexpected JSON shape/);
  assert.throws(() => parseNeighbours(JSON.stringify([{ lladdr: 'x' }])), /ip -j neigh show: unexpected JSON shape/);
});
