import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandRunner } from './command-runner.js';
import { CommandFailedError } from './command-runner.js';
import { OverlayProgrammer, validateConfig } from './overlay-programmer.js';
import type { OverlayConfig } from './overlay-types.js';

const addrs = JSON.stringify([{ ifname: 'eth0', mtu: 9000, addr_info: [{ family: 'inet', local: '10.99.0.1', prefixlen: 24 }] }]);
const config: OverlayConfig = { underlayIp: '10.99.0.1', subnet: '10.240.1.0/24', vni: 1, device: 'shoal.1', vtepMac: '0E:00:00:00:00:01' };
const peer = { nodeId: 'b', underlayIp: '10.99.0.2', subnet: '10.240.2.0/24', vtepMac: '0e:00:00:00:00:02' };

/** Answers reads from a table; records every command; the device is absent unless `link` is given. */
function fakeRunner(opts: { link?: string; addrs?: string; failOn?: RegExp } = {}): { run: CommandRunner; log: string[] } {
  const log: string[] = [];
  const run: CommandRunner = (cmd, args) => {
    const line = `${cmd} ${args.join(' ')}`;
    log.push(line);
    if (opts.failOn?.test(line)) return Promise.reject(new CommandFailedError(line, 'RTNETLINK answers: File exists', 2));
    if (line === 'ip -j addr show') return Promise.resolve(opts.addrs ?? addrs);
    if (line.startsWith('ip -j -d link show dev ')) {
      return opts.link === undefined ? Promise.reject(new CommandFailedError(line, 'Device "shoal.1" does not exist.', 1)) : Promise.resolve(opts.link);
    }
    if (line.includes(' -j ')) return Promise.resolve('[]');
    return Promise.resolve('');
  };
  return { run, log };
}

const mutating = (log: string[]): string[] => log.filter((l) => !l.includes(' -j '));

test('converge on a bare node creates everything with MTU underlay-50 and reports the VTEP to publish', async () => {
  const { run, log } = fakeRunner();
  const result = await new OverlayProgrammer(config, run).converge([peer]);
  assert.deepEqual(mutating(log), result.commands.map((c) => `${c.cmd} ${c.args.join(' ')}`));
  assert.equal(mutating(log)[0], 'ip link add shoal.1 address 0e:00:00:00:00:01 mtu 8950 type vxlan id 1 local 10.99.0.1 dev eth0 dstport 8472 nolearning');
  assert.equal(mutating(log).length, 6);
  assert.deepEqual(result.vtep, { underlayIp: '10.99.0.1', subnet: '10.240.1.0/24', vtepMac: '0e:00:00:00:00:01' });
  assert.deepEqual(result.ignoredPeers, []);
});

test('without a configured MAC the kernel’s is read back and reported', async () => {
  const link = JSON.stringify([{ ifname: 'shoal.1', flags: ['UP'], mtu: 1400, address: 'AA:BB:CC:00:00:01', linkinfo: { info_kind: 'vxlan', info_data: { id: 1, port: 4789, local: '10.99.0.1', link: 'eth0', learning: false } } }]);
  const { vtepMac: _omit, ...noMac } = config;
  const { run, log } = fakeRunner({ link });
  const result = await new OverlayProgrammer({ ...noMac, port: 4789, mtu: 1400 }, run).converge([]);
  assert.deepEqual(mutating(log), ['ip addr add 10.240.1.0/32 dev shoal.1']);
  assert.equal(result.vtep.vtepMac, 'aa:bb:cc:00:00:01');
});

test('no interface holding the underlay address: fails naming it, changes nothing', async () => {
  const { run, log } = fakeRunner({ addrs: '[]' });
  await assert.rejects(new OverlayProgrammer(config, run).converge([peer]), /no interface has the underlay address 10\.99\.0\.1/);
  assert.deepEqual(mutating(log), []);
});

test('a failing command rejects that call, and the next call still runs (the queue is not stuck)', async () => {
  const { run } = fakeRunner({ failOn: /^ip addr add/ });
  const p = new OverlayProgrammer(config, run);
  await assert.rejects(p.converge([peer]), (err: Error) => err instanceof CommandFailedError && /ip addr add 10\.240\.1\.0\/32 dev shoal\.1 failed \(exit 2\): RTNETLINK answers: File exists/.test(err.message));
  await assert.rejects(p.converge([peer]), CommandFailedError);
});

test('calls are serialised: the second converge starts reading only after the first finished', async () => {
  const events: string[] = [];
  const base = fakeRunner();
  const run: CommandRunner = async (cmd, args) => {
    events.push(`${cmd} ${args.join(' ')}`);
    await new Promise((r) => setTimeout(r, 1));
    return base.run(cmd, args);
  };
  const p = new OverlayProgrammer(config, run);
  await Promise.all([p.converge([peer]), p.converge([])]);
  // Unserialised, both calls would read `ip -j addr show` first, before any command ran.
  const firstRouteWrite = events.findIndex((e) => e.startsWith('ip route replace'));
  const secondStart = events.lastIndexOf('ip -j addr show');
  assert.ok(firstRouteWrite !== -1 && firstRouteWrite < secondStart, events.join('\n'));
  // The second call saw an absent device too (the fake does not keep state), so it created it again.
  assert.equal(base.log.filter((l) => l.startsWith('ip link add')).length, 2);
});

test('teardown deletes the device only when it exists; reading errors other than absence propagate', async () => {
  const absent = fakeRunner();
  await new OverlayProgrammer(config, absent.run).teardown();
  assert.deepEqual(mutating(absent.log), []);
  const present = fakeRunner({ link: JSON.stringify([{ ifname: 'shoal.1', flags: [], mtu: 1450, address: '0e:00:00:00:00:01' }]) });
  await new OverlayProgrammer(config, present.run).teardown();
  assert.deepEqual(mutating(present.log), ['ip link del shoal.1']);
  const broken: CommandRunner = () => Promise.reject(new CommandFailedError('ip', 'Cannot open netlink socket: Permission denied', 1));
  await assert.rejects(new OverlayProgrammer(config, broken).teardown(), /Permission denied/);
});

test('validateConfig names the field', () => {
  const bad: [Partial<OverlayConfig>, RegExp][] = [
    [{ underlayIp: 'x' }, /underlayIp/],
    [{ subnet: '10.240.1.1/24' }, /subnet: .*host bits/],
    [{ vni: 0 }, /vni/],
    [{ vni: 2 ** 24 }, /vni/],
    [{ device: 'a-name-that-is-too-long' }, /device/],
    [{ device: '-x' }, /device/],
    [{ port: 70000 }, /port/],
    [{ mtu: 100 }, /mtu/],
    [{ vtepMac: 'ff:ff:ff:ff:ff:ff' }, /vtepMac/],
  ];
  for (const [change, re] of bad) assert.throws(() => validateConfig({ ...config, ...change }), re, JSON.stringify(change));
  assert.doesNotThrow(() => validateConfig(config));
});
