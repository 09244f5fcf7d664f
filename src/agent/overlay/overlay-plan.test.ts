import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSubnet } from './ipv4.js';
import type { LocalOverlay } from './overlay-plan.js';
import { acceptPeers, linkMismatch, planOverlay } from './overlay-plan.js';
import type { ObservedOverlay, OverlayCommand, OverlayPeer } from './overlay-types.js';

const local: LocalOverlay = { device: 'shoal.1', vni: 1, port: 8472, underlayIp: '10.99.0.1', underlayDevice: 'eth0', mtu: 1450, subnet: parseSubnet('10.240.1.0/24'), vtepMac: '0e:00:00:00:00:01' };
const peerB: OverlayPeer = { nodeId: 'b', underlayIp: '10.99.0.2', subnet: '10.240.2.0/24', vtepMac: '0e:00:00:00:00:02' };
const peerC: OverlayPeer = { nodeId: 'c', underlayIp: '10.99.0.3', subnet: '10.240.3.0/24', vtepMac: '0E:00:00:00:00:03' };

const line = (c: OverlayCommand): string => `${c.cmd} ${c.args.join(' ')}`;
const lines = (local_: LocalOverlay, peers: OverlayPeer[], observed: ObservedOverlay): string[] => planOverlay(local_, peers, observed).commands.map(line);

/** A node that already matches `local` with peers B and C. */
function converged(): ObservedOverlay {
  return {
    link: { kind: 'vxlan', vni: 1, port: 8472, local: '10.99.0.1', underlayDevice: 'eth0', learning: false, mtu: 1450, up: true, mac: '0e:00:00:00:00:01' },
    addresses: ['10.240.1.0/32'],
    routes: [
      { dst: '10.240.2.0/24', gateway: '10.240.2.0', onlink: true },
      { dst: '10.240.3.0/24', gateway: '10.240.3.0', onlink: true },
    ],
    neighbours: [
      { dst: '10.240.2.0', lladdr: '0e:00:00:00:00:02', permanent: true },
      { dst: '10.240.3.0', lladdr: '0e:00:00:00:00:03', permanent: true },
    ],
    fdb: [
      { mac: '0e:00:00:00:00:02', dst: '10.99.0.2' },
      { mac: '0e:00:00:00:00:03', dst: '10.99.0.3' },
    ],
  };
}

test('from nothing: create the device, address it, bring it up, then FDB, neighbour and route per peer', () => {
  assert.deepEqual(lines(local, [peerB], { addresses: [], routes: [], neighbours: [], fdb: [] }), [
    'ip link add shoal.1 address 0e:00:00:00:00:01 mtu 1450 type vxlan id 1 local 10.99.0.1 dev eth0 dstport 8472 nolearning',
    'ip addr add 10.240.1.0/32 dev shoal.1',
    'ip link set dev shoal.1 up',
    'bridge fdb replace 0e:00:00:00:00:02 dev shoal.1 dst 10.99.0.2 self permanent',
    'ip neigh replace 10.240.2.0 lladdr 0e:00:00:00:00:02 dev shoal.1 nud permanent',
    'ip route replace 10.240.2.0/24 via 10.240.2.0 dev shoal.1 onlink',
  ]);
  const { vtepMac: _omit, ...noMac } = local;
  assert.equal(lines(noMac, [], { addresses: [], routes: [], neighbours: [], fdb: [] })[0], 'ip link add shoal.1 mtu 1450 type vxlan id 1 local 10.99.0.1 dev eth0 dstport 8472 nolearning');
});

test('a converged node needs no command (peer order and MAC case do not matter)', () => {
  assert.deepEqual(lines(local, [peerC, peerB], converged()), []);
});

test('a removed peer loses its route, neighbour and FDB entry; the others are left alone', () => {
  assert.deepEqual(lines(local, [peerB], converged()), [
    'ip route del 10.240.3.0/24 dev shoal.1',
    'ip neigh del 10.240.3.0 dev shoal.1',
    'bridge fdb del 0e:00:00:00:00:03 dev shoal.1 dst 10.99.0.3',
  ]);
});

test('a peer that moved (new underlay address, new MAC) is rewritten, the stale FDB entry removed', () => {
  const moved = { ...peerC, underlayIp: '10.99.0.33', vtepMac: '0e:00:00:00:00:33' };
  assert.deepEqual(lines(local, [peerB, moved], converged()), [
    'bridge fdb del 0e:00:00:00:00:03 dev shoal.1 dst 10.99.0.3',
    'bridge fdb replace 0e:00:00:00:00:33 dev shoal.1 dst 10.99.0.33 self permanent',
    'ip neigh replace 10.240.3.0 lladdr 0e:00:00:00:00:33 dev shoal.1 nud permanent',
  ]);
});

test('drift is repaired: wrong MTU, stray address, device down, non-permanent neighbour, route without onlink, extra FDB destination', () => {
  const o = converged();
  o.link = { ...o.link!, mtu: 1500, up: false };
  o.addresses = ['10.240.9.0/32', '10.240.1.0/32'];
  o.neighbours[0] = { dst: '10.240.2.0', lladdr: '0e:00:00:00:00:02', permanent: false };
  o.routes[1] = { dst: '10.240.3.0/24', gateway: '10.240.3.0', onlink: false };
  o.routes.push({ dst: '10.250.0.0/16', gateway: '10.250.0.0', onlink: true });
  o.fdb.push({ mac: '0e:00:00:00:00:02', dst: '10.99.0.77' }, { mac: '00:00:00:00:00:00', dst: '239.1.1.1' });
  assert.deepEqual(lines(local, [peerB, peerC], o), [
    'ip link set dev shoal.1 mtu 1450',
    'ip addr del 10.240.9.0/32 dev shoal.1',
    'ip link set dev shoal.1 up',
    'ip route del 10.250.0.0/16 dev shoal.1',
    'bridge fdb del 0e:00:00:00:00:02 dev shoal.1 dst 10.99.0.77',
    'bridge fdb del 00:00:00:00:00:00 dev shoal.1 dst 239.1.1.1',
    'ip neigh replace 10.240.2.0 lladdr 0e:00:00:00:00:02 dev shoal.1 nud permanent',
    'ip route replace 10.240.3.0/24 via 10.240.3.0 dev shoal.1 onlink',
  ]);
});

test('a device with settings ip link set cannot change is deleted and made again, with every entry', () => {
  for (const change of [{ vni: 2 }, { port: 4789 }, { local: '10.99.0.9' }, { underlayDevice: 'eth1' }, { learning: true }, { mac: '0e:00:00:00:00:99' }, { kind: 'bridge' }]) {
    const o = converged();
    o.link = { ...o.link!, ...change };
    const cmds = lines(local, [peerB], o);
    assert.equal(cmds[0], 'ip link del shoal.1', JSON.stringify(change));
    assert.match(cmds[1] ?? '', /^ip link add shoal\.1 /);
    assert.equal(cmds.length, 7, JSON.stringify(change));
    assert.ok(linkMismatch(local, o.link) !== undefined);
  }
  assert.equal(linkMismatch(local, converged().link!), undefined);
  // Without a configured MAC, whatever the kernel picked is kept.
  const { vtepMac: _omit, ...noMac } = local;
  assert.equal(linkMismatch(noMac, { ...converged().link!, mac: 'aa:bb:cc:dd:ee:02' }), undefined);
});

test('bad and conflicting peers are ignored with a reason naming the field; this node is skipped quietly', () => {
  const self: OverlayPeer = { nodeId: 'a', underlayIp: '10.99.0.1', subnet: '10.240.1.0/24', vtepMac: '0e:00:00:00:00:01' };
  const { peers, ignoredPeers } = acceptPeers(local, [
    peerC,
    self,
    { nodeId: 'z-dup-subnet', underlayIp: '10.99.0.8', subnet: '10.240.2.0/24', vtepMac: '0e:00:00:00:00:08' },
    peerB,
    { nodeId: 'bad-subnet', underlayIp: '10.99.0.5', subnet: '10.240.5.1/24', vtepMac: '0e:00:00:00:00:05' },
    { nodeId: 'bad-ip', underlayIp: 'host.example', subnet: '10.240.6.0/24', vtepMac: '0e:00:00:00:00:06' },
    { nodeId: 'bad-mac', underlayIp: '10.99.0.7', subnet: '10.240.7.0/24', vtepMac: '01:00:5e:00:00:07' },
    { nodeId: 'overlaps-me', underlayIp: '10.99.0.9', subnet: '10.240.0.0/16', vtepMac: '0e:00:00:00:00:09' },
    { nodeId: 'my-underlay', underlayIp: '10.99.0.1', subnet: '10.240.10.0/24', vtepMac: '0e:00:00:00:00:0a' },
  ]);
  assert.deepEqual(peers.map((p) => p.nodeId), ['b', 'c']);
  assert.equal(peers[1]?.vtepMac, '0e:00:00:00:00:03');
  const reasons = Object.fromEntries(ignoredPeers.map((i) => [i.nodeId, i.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['bad-ip', 'bad-mac', 'bad-subnet', 'my-underlay', 'overlaps-me', 'z-dup-subnet']);
  assert.match(reasons['bad-subnet'] ?? '', /^subnet: .*host bits/);
  assert.match(reasons['bad-ip'] ?? '', /^underlayIp:/);
  assert.match(reasons['bad-mac'] ?? '', /^vtepMac:/);
  assert.match(reasons['overlaps-me'] ?? '', /^subnet: .*overlaps this node/);
  assert.match(reasons['my-underlay'] ?? '', /^underlayIp: .*own/);
  assert.match(reasons['z-dup-subnet'] ?? '', /conflicts with node b/);
  // An ignored peer gets no entries, and ignoring it removes what it had.
  const o = converged();
  assert.deepEqual(lines(local, [peerB, { ...peerC, vtepMac: 'nonsense' }], o).length, 3);
});
