// The agent's packet filter rules for the overlay (src/agent/netfilter/), applied with the real
// iptables inside throwaway network namespaces: convergence is idempotent and touches only our
// chains, removal leaves nothing, and, end to end behind a Docker-like FORWARD policy DROP, a NEW
// connection from the overlay reaches a "container" on a bridge only from an allowed source,
// while the container's traffic to the outside world is masqueraded and to the cluster is not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { netnsRunner } from '../src/agent/overlay/command-runner.js';
import { checkIptables } from '../src/agent/netfilter/check-iptables.js';
import type { NetfilterPlan } from '../src/agent/netfilter/netfilter-plan.js';
import { NetfilterProgrammer } from '../src/agent/netfilter/netfilter-programmer.js';
import { commandExists, mustSync, runSync } from './harness/multi-host/run-command.js';

const skip =
  process.getuid?.() !== 0
    ? 'needs root (network namespaces)'
    : runSync('ip', ['netns', 'list']).status !== 0
      ? '`ip netns` is not available (install iproute2)'
      : !commandExists('iptables-restore')
        ? 'iptables is not installed'
        : false;
if (skip) process.stderr.write(`netfilter test skipped: ${skip}\n`);

const runId = randomBytes(3).toString('hex');
const ns = (what: string): string => `shoal-nf-${runId}-${what}`;
const made: string[] = [];
const children: ChildProcess[] = [];

const inNs = (name: string, cmd: string, args: string[]): string => mustSync('nsenter', [`--net=/run/netns/${name}`, '--', cmd, ...args]);
const addNs = (what: string): string => {
  const name = ns(what);
  made.push(name); // recorded first, so a failure part-way still removes it
  mustSync('ip', ['netns', 'add', name]);
  mustSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
};
const iptablesS = (name: string, table: string): string[] => inNs(name, 'iptables', ['-t', table, '-S']).trim().split('\n');
const cleanup = (): void => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const name of made.splice(0)) runSync('ip', ['netns', 'del', name]);
};
// Also on a crash or Ctrl-C: a namespace holds our rules, so deleting it removes everything.
process.on('exit', cleanup);

after(() => {
  cleanup();
  const left = runSync('ip', ['netns', 'list']).stdout.split('\n').filter((l) => l.includes(`shoal-nf-${runId}-`));
  assert.deepEqual(left, [], 'namespaces removed');
});

const plan: NetfilterPlan = {
  tag: 'node1',
  clusterCidr: '10.240.0.0/12',
  nodeSubnet: '10.240.16.0/20',
  overlayDevice: 'ovl0',
  bridges: [{ device: 'br0', allowedSources: ['10.240.32.0/26'] }],
  peerNodeAddresses: ['10.240.32.0'],
};

test('checkIptables finds iptables usable and leaves no scratch chain', { skip }, async () => {
  const name = addNs('chk');
  assert.equal(await checkIptables(netnsRunner(name)), undefined);
  assert.doesNotMatch([...iptablesS(name, 'filter'), ...iptablesS(name, 'nat')].join('\n'), /SHOAL-CHK/);
});

test('converge writes our chains and jumps, is idempotent, changes only our chains, and remove takes it all out', { skip }, async () => {
  const name = addNs('rules');
  const nf = new NetfilterProgrammer(netnsRunner(name));
  const bare = { filter: iptablesS(name, 'filter'), nat: iptablesS(name, 'nat') };

  assert.deepEqual(await nf.converge(plan), { changed: true });
  assert.deepEqual(iptablesS(name, 'filter'), [
    '-P INPUT ACCEPT',
    '-P FORWARD ACCEPT',
    '-P OUTPUT ACCEPT',
    '-N DOCKER-USER',
    '-N SHOAL-FWD-node1',
    '-A FORWARD -j DOCKER-USER',
    '-A DOCKER-USER -j SHOAL-FWD-node1',
    '-A SHOAL-FWD-node1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A SHOAL-FWD-node1 -s 10.240.32.0/26 -i ovl0 -o br0 -j ACCEPT',
    '-A SHOAL-FWD-node1 -s 10.240.32.0/32 -i ovl0 -j ACCEPT',
    '-A SHOAL-FWD-node1 -i ovl0 -j DROP',
    '-A SHOAL-FWD-node1 -j RETURN',
  ]);
  assert.deepEqual(iptablesS(name, 'nat'), [
    '-P PREROUTING ACCEPT',
    '-P INPUT ACCEPT',
    '-P OUTPUT ACCEPT',
    '-P POSTROUTING ACCEPT',
    '-N SHOAL-POST-node1',
    '-A POSTROUTING -j SHOAL-POST-node1',
    '-A SHOAL-POST-node1 -s 10.240.16.0/20 -d 10.240.0.0/12 -j RETURN',
    '-A SHOAL-POST-node1 -s 10.240.16.0/20 -j MASQUERADE',
  ]);

  // The same plan again, in another order: nothing to do.
  assert.deepEqual(await nf.converge({ ...plan, peerNodeAddresses: ['10.240.32.0/32'] }), { changed: false });

  // Another agent's chains and a rule of someone else's in the same namespace.
  const other = new NetfilterProgrammer(netnsRunner(name));
  assert.deepEqual(await other.converge({ ...plan, tag: 'node2', nodeSubnet: '10.240.48.0/20' }), { changed: true });
  inNs(name, 'iptables', ['-A', 'DOCKER-USER', '-s', '192.0.2.1/32', '-j', 'DROP']);
  const notOurs = (table: string): string[] => iptablesS(name, table).filter((l) => !l.includes('SHOAL-FWD-node1') && !l.includes('SHOAL-POST-node1'));
  const othersBefore = { filter: notOurs('filter'), nat: notOurs('nat') };

  // A changed plan: only our two chains change (the nat one is refilled identically).
  const changed: NetfilterPlan = { ...plan, bridges: [...plan.bridges, { device: 'br1', allowedSources: ['10.240.48.64/26', '10.240.32.64/26'] }], peerNodeAddresses: [] };
  assert.deepEqual(await nf.converge(changed), { changed: true });
  assert.deepEqual((await nf.chainRules('filter', 'SHOAL-FWD-node1'))?.slice(1, -1), [
    '-A SHOAL-FWD-node1 -s 10.240.32.0/26 -i ovl0 -o br0 -j ACCEPT',
    '-A SHOAL-FWD-node1 -s 10.240.32.64/26 -i ovl0 -o br1 -j ACCEPT',
    '-A SHOAL-FWD-node1 -s 10.240.48.64/26 -i ovl0 -o br1 -j ACCEPT',
    '-A SHOAL-FWD-node1 -i ovl0 -j DROP',
  ]);
  assert.deepEqual({ filter: notOurs('filter'), nat: notOurs('nat') }, othersBefore, "other chains' rules untouched");
  assert.deepEqual(await nf.converge(changed), { changed: false });

  // A jump knocked out of place (as a flush of DOCKER-USER would) is put back.
  inNs(name, 'iptables', ['-D', 'DOCKER-USER', '-j', 'SHOAL-FWD-node1']);
  assert.deepEqual(await nf.converge(changed), { changed: true });
  assert.ok(iptablesS(name, 'filter').includes('-A DOCKER-USER -j SHOAL-FWD-node1'));

  await nf.remove('node1');
  const gone = [...iptablesS(name, 'filter'), ...iptablesS(name, 'nat')];
  assert.deepEqual(gone.filter((l) => /node1/.test(l)), [], 'no chain or jump of node1 left');
  assert.ok(gone.includes('-A DOCKER-USER -j SHOAL-FWD-node2') && gone.includes('-A SHOAL-POST-node2 -s 10.240.48.0/20 -j MASQUERADE'), "the other agent's rules stay");
  await nf.remove('node1'); // nothing left to remove: not an error
  await other.remove('node2');
  inNs(name, 'iptables', ['-D', 'DOCKER-USER', '-s', '192.0.2.1/32', '-j', 'DROP']);
  // DOCKER-USER and its jump stay: Docker owns them once it runs, and an empty one passes everything.
  assert.deepEqual(iptablesS(name, 'filter'), [...bare.filter, '-N DOCKER-USER', '-A FORWARD -j DOCKER-USER']);
  assert.deepEqual(iptablesS(name, 'nat'), bare.nat);
});

// End to end: "node" N with a Docker-like FORWARD chain, a bridge br0 with a "container" C in
// 10.240.16.64/26, an overlay stand-in ovl0 (a veth) to P, which plays the other nodes (their
// containers and their own overlay address), and wan0 to P as "the outside world".
describe_e2e();

function describe_e2e(): void {
  const port = 8080;
  let n = '';
  let c = '';
  let p = '';

  /** Listens in NAME on port and answers each connection with the address it came from. */
  const startEcho = (name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const script = `require('net').createServer((s) => s.end(s.remoteAddress)).listen(${port}, '0.0.0.0', () => console.log('ready'))`;
      const child = spawn('nsenter', [`--net=/run/netns/${name}`, '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`echo server in ${name} exited (${code})`)));
      child.stdout.once('data', () => resolve());
    });
  /** What the echo server saw as our address, or undefined when no connection was made within the time. */
  const connect = (from: string, to: string, localAddress?: string): string | undefined => {
    const script = `const s = require('net').connect({ host: '${to}', port: ${port}${localAddress ? `, localAddress: '${localAddress}'` : ''} });
      let got = ''; s.on('data', (d) => (got += d)); s.on('end', () => { console.log(got); process.exit(0); });
      s.on('error', () => process.exit(1)); setTimeout(() => process.exit(2), 1500);`;
    const r = runSync('nsenter', [`--net=/run/netns/${from}`, '--', process.execPath, '-e', script], 10_000);
    return r.status === 0 ? r.stdout.trim() : undefined;
  };

  before(async () => {
    if (skip) return;
    n = addNs('n');
    c = addNs('c');
    p = addNs('p');
    const ipN = (...args: string[]): string => mustSync('ip', ['-n', n, ...args]);
    const ipP = (...args: string[]): string => mustSync('ip', ['-n', p, ...args]);
    ipN('link', 'add', 'ovl0', 'type', 'veth', 'peer', 'name', 'ovl0', 'netns', p);
    ipN('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'wan0', 'netns', p);
    ipN('link', 'add', 'br0', 'type', 'bridge');
    ipN('link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c);
    ipN('link', 'set', 'c0', 'master', 'br0');
    ipN('addr', 'add', '10.240.16.0/32', 'dev', 'ovl0');
    ipN('addr', 'add', '10.240.16.65/26', 'dev', 'br0');
    ipN('addr', 'add', '198.51.100.1/24', 'dev', 'wan0');
    for (const dev of ['ovl0', 'wan0', 'br0', 'c0']) ipN('link', 'set', dev, 'up');
    // Like flannel: the other nodes' subnets via the peer's overlay address, onlink (no ARP for
    // each container across the overlay).
    ipN('route', 'add', '10.240.32.0/19', 'via', '10.240.32.0', 'dev', 'ovl0', 'onlink');
    mustSync('ip', ['-n', c, 'addr', 'add', '10.240.16.66/26', 'dev', 'eth0']);
    mustSync('ip', ['-n', c, 'link', 'set', 'eth0', 'up']);
    mustSync('ip', ['-n', c, 'route', 'add', 'default', 'via', '10.240.16.65']);
    // P: the peer node's own overlay address, a container in the allowed range, one in another network.
    for (const a of ['10.240.32.0/32', '10.240.32.5/32', '10.240.48.5/32']) ipP('addr', 'add', a, 'dev', 'ovl0');
    ipP('addr', 'add', '198.51.100.2/24', 'dev', 'wan0');
    for (const dev of ['ovl0', 'wan0']) ipP('link', 'set', dev, 'up');
    ipP('route', 'add', '10.240.16.0/20', 'via', '10.240.16.0', 'dev', 'ovl0', 'onlink');
    // Namespaced sysctls: they apply inside N only.
    for (const kv of ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) inNs(n, 'sysctl', ['-qw', kv]);
    for (const kv of ['net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']) inNs(p, 'sysctl', ['-qw', kv]);
    // What Docker 20.10 sets up for one bridge network, masquerading off.
    const ipt = (...args: string[]): string => inNs(n, 'iptables', args);
    ipt('-P', 'FORWARD', 'DROP');
    ipt('-N', 'DOCKER-USER');
    ipt('-A', 'DOCKER-USER', '-j', 'RETURN');
    ipt('-A', 'FORWARD', '-j', 'DOCKER-USER');
    ipt('-A', 'FORWARD', '-o', 'br0', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');
    ipt('-A', 'FORWARD', '-i', 'br0', '!', '-o', 'br0', '-j', 'ACCEPT');
    ipt('-A', 'FORWARD', '-i', 'br0', '-o', 'br0', '-j', 'ACCEPT');
    await Promise.all([startEcho(c), startEcho(p)]);
  });

  test('end to end: NEW connections from the overlay pass only from allowed sources; the outside sees the node address', { skip }, async () => {
    assert.equal(connect(p, '10.240.16.66', '10.240.32.5'), undefined, "Docker's FORWARD rules drop it before we converge");
    assert.equal(connect(c, '10.240.32.5'), '10.240.16.66', 'a container can open connections out across the overlay');

    const nf = new NetfilterProgrammer(netnsRunner(n));
    assert.deepEqual(await nf.converge(plan), { changed: true });
    assert.equal(connect(p, '10.240.16.66', '10.240.32.5'), '10.240.32.5', 'a container of the same network on another node gets in, unmasqueraded');
    assert.equal(connect(p, '10.240.16.66', '10.240.32.0'), '10.240.32.0', "a peer node's own overlay address (its ingress proxy) gets in");
    assert.equal(connect(p, '10.240.16.66', '10.240.48.5'), undefined, 'a container of another network does not');
    assert.equal(connect(c, '10.240.32.5'), '10.240.16.66', 'towards the cluster the container keeps its own address');
    assert.equal(connect(c, '198.51.100.2'), '198.51.100.1', 'towards the outside it leaves with the node address');

    await nf.remove(plan.tag);
    assert.equal(connect(p, '10.240.16.66', '10.240.32.5'), undefined, 'dropped again once removed');
    assert.equal(connect(c, '198.51.100.2'), '10.240.16.66', 'and no longer masqueraded');
  });
}
