// The kernel VXLAN overlay (src/agent/overlay/) between two simulated nodes, each a network
// namespace with a Linux bridge and one "container" namespace on it, as Docker's bridge network
// will be later. Proves container-to-container traffic across nodes goes through the VXLAN
// device, stops when the peer is removed and comes back when it is re-added.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { netnsRunner } from '../src/agent/overlay/command-runner.js';
import { checkKernelSupport, describeKernelSupport } from '../src/agent/overlay/kernel-support.js';
import { OverlayProgrammer } from '../src/agent/overlay/overlay-programmer.js';
import type { OverlayPeer } from '../src/agent/overlay/overlay-types.js';
import { deriveVtepMac } from '../src/agent/overlay/vtep-mac.js';
import { registerForExit, sweepOrphanedRuns, unregisterForExit } from './harness/multi-host/exit-cleanup.js';
import { commandExists, mustSync, runSync } from './harness/multi-host/run-command.js';
import type { RunState } from './harness/multi-host/run-state.js';
import { newRunState, saveRunState } from './harness/multi-host/run-state.js';
import { teardownRun } from './harness/multi-host/teardown.js';

const skip =
  process.getuid?.() !== 0 ? 'needs root (network namespaces)' : runSync('ip', ['netns', 'list']).status !== 0 ? '`ip netns` is not available (install iproute2)' : false;
if (skip) process.stderr.write(`overlay test skipped: ${skip}\n`);

interface SimNode {
  ns: string;
  container: string;
  underlayIp: string;
  subnet: string;
  containerIp: string;
  programmer: OverlayProgrammer;
  peer: OverlayPeer;
}

let state: RunState | undefined;
const nodes: SimNode[] = [];
const device = 'shoal.1';

const inNs = (ns: string, cmd: string, args: string[]): string => mustSync('nsenter', [`--net=/run/netns/${ns}`, '--', cmd, ...args]);
const ping = (from: string, ip: string, waitSec: number): boolean => {
  const tool = commandExists('busybox') ? ['busybox', 'ping'] : ['ping'];
  return runSync('nsenter', [`--net=/run/netns/${from}`, '--', ...tool, '-c', '1', '-W', String(waitSec), ip], 10_000).status === 0;
};
/** Retries briefly: the first packet can race a neighbour lookup on the bridge side. */
const reaches = (from: string, ip: string): boolean => [0, 1, 2].some(() => ping(from, ip, 2));
const vxlanCounters = (ns: string): { tx: number; rx: number } => {
  const link = (JSON.parse(inNs(ns, 'ip', ['-j', '-s', 'link', 'show', 'dev', device])) as { stats64: { tx: { packets: number }; rx: { packets: number } } }[])[0];
  return { tx: link?.stats64.tx.packets ?? 0, rx: link?.stats64.rx.packets ?? 0 };
};

before(() => {
  if (skip) return;
  sweepOrphanedRuns();
  state = newRunState(randomBytes(3).toString('hex'));
  mkdirSync(state.dir, { recursive: true });
  registerForExit(state);
  const s = state;
  const name = (what: string): string => `shoal-${s.runId}-ovl-${what}`;
  for (const n of [1, 2]) {
    s.namespaces.push(name(`n${n}`), name(`c${n}`));
  }
  // Recorded before anything is made, so a crash part-way still has them removed.
  saveRunState(s);
  for (const n of [1, 2]) {
    mustSync('ip', ['netns', 'add', name(`n${n}`)]);
    mustSync('ip', ['netns', 'add', name(`c${n}`)]);
  }
  // The underlay: one link between the two node namespaces; nothing of the host is touched.
  const u = 200 + Math.floor(Math.random() * 50);
  mustSync('ip', ['-n', name('n1'), 'link', 'add', 'u0', 'type', 'veth', 'peer', 'name', 'u0', 'netns', name('n2')]);
  for (const n of [1, 2]) {
    const ns = name(`n${n}`);
    const c = name(`c${n}`);
    const underlayIp = `10.${u}.${n}.2`;
    const ip = (...args: string[]): string => mustSync('ip', ['-n', ns, ...args]);
    ip('link', 'set', 'lo', 'up');
    ip('addr', 'add', `${underlayIp}/16`, 'dev', 'u0');
    ip('link', 'set', 'u0', 'up');
    // The node's local bridge for its subnet (Docker's bridge network later) and a "container".
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('addr', 'add', `10.240.${n}.1/24`, 'dev', 'br0');
    ip('link', 'set', 'br0', 'up');
    ip('link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c);
    ip('link', 'set', 'c0', 'master', 'br0');
    ip('link', 'set', 'c0', 'up');
    mustSync('ip', ['-n', c, 'link', 'set', 'lo', 'up']);
    mustSync('ip', ['-n', c, 'addr', 'add', `10.240.${n}.2/24`, 'dev', 'eth0']);
    mustSync('ip', ['-n', c, 'link', 'set', 'eth0', 'up']);
    mustSync('ip', ['-n', c, 'route', 'add', 'default', 'via', `10.240.${n}.1`]);
    // Namespaced sysctls only: these apply inside the node namespace, never to the host.
    for (const kv of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) inNs(ns, 'sysctl', ['-qw', kv]);
    const vtepMac = deriveVtepMac(`${s.runId}-node${n}`);
    const subnet = `10.240.${n}.0/24`;
    nodes.push({
      ns,
      container: c,
      underlayIp,
      subnet,
      containerIp: `10.240.${n}.2`,
      programmer: new OverlayProgrammer({ underlayIp, subnet, vni: 42, device, vtepMac }, netnsRunner(ns)),
      peer: { nodeId: `node${n}`, underlayIp, subnet, vtepMac },
    });
  }
});

after(() => {
  if (!state) return;
  const problems = teardownRun(state);
  unregisterForExit(state);
  const left = runSync('ip', ['netns', 'list']).stdout.split('\n').filter((l) => l.includes(`shoal-${state?.runId}-ovl-`));
  if (problems.length > 0 || left.length > 0) throw new Error(`overlay test cleanup left: ${[...problems, ...left].join('; ')}`);
});

test('the kernel check passes inside a node namespace', { skip }, async () => {
  const support = await checkKernelSupport(netnsRunner(nodes[0]?.ns ?? ''));
  assert.equal(support.ok, true, describeKernelSupport(support));
  assert.deepEqual(support.warnings, []);
  assert.doesNotMatch(inNs(nodes[0]?.ns ?? '', 'ip', ['link']), /shoalchk/, 'scratch device removed');
});

test('containers on two nodes reach each other through the VXLAN device; peer removal cuts it, re-adding restores it', { skip }, async () => {
  const [a, b] = nodes as [SimNode, SimNode];
  assert.equal(ping(a.container, b.containerIp, 1), false, 'no route before the overlay exists');

  const ra = await a.programmer.converge([a.peer, b.peer]);
  const rb = await b.programmer.converge([a.peer, b.peer]);
  assert.deepEqual([...ra.ignoredPeers, ...rb.ignoredPeers], []);
  assert.deepEqual(ra.vtep, { underlayIp: a.underlayIp, subnet: a.subnet, vtepMac: a.peer.vtepMac });
  // Converging again changes nothing: the state read back already matches.
  assert.deepEqual((await a.programmer.converge([b.peer, a.peer])).commands, []);
  const seen = await a.programmer.observe();
  assert.equal(seen.link?.mtu, 1450);
  assert.deepEqual(seen.addresses, ['10.240.1.0/32']);
  assert.deepEqual(seen.routes, [{ dst: b.subnet, gateway: '10.240.2.0', onlink: true }]);
  assert.deepEqual(seen.fdb, [{ mac: b.peer.vtepMac, dst: b.underlayIp }]);

  const before = [vxlanCounters(a.ns), vxlanCounters(b.ns)] as const;
  assert.ok(reaches(a.container, b.containerIp), 'container on node 1 pings container on node 2');
  assert.ok(reaches(b.container, a.containerIp), 'container on node 2 pings container on node 1');
  const afterPing = [vxlanCounters(a.ns), vxlanCounters(b.ns)] as const;
  assert.ok(afterPing[0].tx >= before[0].tx + 2 && afterPing[0].rx >= before[0].rx + 2, `node 1 VXLAN counters rose: ${JSON.stringify([before[0], afterPing[0]])}`);
  assert.ok(afterPing[1].tx >= before[1].tx + 2 && afterPing[1].rx >= before[1].rx + 2, `node 2 VXLAN counters rose: ${JSON.stringify([before[1], afterPing[1]])}`);

  // Node 2 disappears from node 1's peer list: its route, neighbour and FDB entry go.
  const removed = await a.programmer.converge([a.peer]);
  assert.equal(removed.commands.length, 3);
  const empty = await a.programmer.observe();
  assert.deepEqual([empty.routes, empty.neighbours, empty.fdb], [[], [], []]);
  assert.equal(ping(a.container, b.containerIp, 1), false, 'unreachable once the peer is removed');

  await a.programmer.converge([a.peer, b.peer]);
  assert.ok(reaches(a.container, b.containerIp), 'reachable again once the peer is re-added');
  assert.ok(reaches(b.container, a.containerIp));
});

test('a device made with other settings is replaced, and teardown removes it', { skip }, async () => {
  const [a, b] = nodes as [SimNode, SimNode];
  const other = new OverlayProgrammer({ underlayIp: a.underlayIp, subnet: a.subnet, vni: 43, device, vtepMac: a.peer.vtepMac, port: 4789 }, netnsRunner(a.ns));
  const r = await other.converge([b.peer]);
  assert.deepEqual(r.commands[0], { cmd: 'ip', args: ['link', 'del', device] });
  const link = (await other.observe()).link;
  assert.deepEqual([link?.vni, link?.port], [43, 4789]);
  // Node 2 still speaks VNI 42 on port 8472: back to the shared settings, traffic flows again.
  await a.programmer.converge([b.peer]);
  assert.ok(reaches(a.container, b.containerIp));

  await a.programmer.teardown();
  assert.equal((await a.programmer.observe()).link, undefined);
  assert.notEqual(runSync('ip', ['-n', a.ns, 'link', 'show', 'dev', device]).status, 0);
  assert.equal(ping(a.container, b.containerIp, 1), false);
  await a.programmer.teardown(); // idempotent
});
