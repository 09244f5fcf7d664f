import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CommandRunner } from '../overlay/command-runner.js';
import { CommandFailedError } from '../overlay/command-runner.js';
import { checkIptables } from './check-iptables.js';
import type { NetfilterPlan } from './netfilter-plan.js';
import { NetfilterProgrammer } from './netfilter-programmer.js';

const plan: NetfilterPlan = { tag: 'a', clusterCidr: '10.240.0.0/12', nodeSubnet: '10.240.16.0/20', bridges: [], peerNodeAddresses: [] };
const converged = {
  filter: ['-P FORWARD DROP', '-N DOCKER-USER', '-N SHOAL-FWD-a', '-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j SHOAL-FWD-a', '-A DOCKER-USER -j RETURN',
    '-A SHOAL-FWD-a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A SHOAL-FWD-a -j RETURN'].join('\n'),
  nat: ['-P POSTROUTING ACCEPT', '-N SHOAL-POST-a', '-A POSTROUTING -j SHOAL-POST-a', '-A SHOAL-POST-a -s 10.240.16.0/20 -d 10.240.0.0/12 -j RETURN', '-A SHOAL-POST-a -s 10.240.16.0/20 -j MASQUERADE'].join('\n'),
};

/** Answers `iptables -t T -S` from a table; records each command, and the restore input read from its file. */
function fakeRunner(tables: Record<string, string>, failRestore?: string): { run: CommandRunner; log: string[]; restored: string[] } {
  const log: string[] = [];
  const restored: string[] = [];
  const run: CommandRunner = (cmd, args) => {
    log.push([cmd, ...args].join(' '));
    if (cmd === 'iptables-restore') {
      restored.push(readFileSync(args[args.length - 1] ?? '', 'utf8'));
      return failRestore === undefined ? Promise.resolve('') : Promise.reject(new CommandFailedError('iptables-restore', failRestore, 1));
    }
    const t = args.indexOf('-t');
    if (cmd === 'iptables' && args.includes('-S') && t >= 0) return Promise.resolve(tables[args[t + 1] ?? ''] ?? '');
    return Promise.resolve('');
  };
  return { run, log, restored };
}

test('converge writes nothing when both tables already match', async () => {
  const f = fakeRunner(converged);
  assert.deepEqual(await new NetfilterProgrammer(f.run).converge(plan), { changed: false });
  assert.deepEqual(f.log, ['iptables -w 5 -t filter -S', 'iptables -w 5 -t nat -S']);
});

test('converge applies only the table that differs, in one restore, and fails loudly when the read-back still differs', async () => {
  const f = fakeRunner({ ...converged, nat: '-P POSTROUTING ACCEPT' });
  await assert.rejects(new NetfilterProgrammer(f.run).converge(plan), /read back differ from the plan/);
  assert.equal(f.restored.length, 1);
  assert.equal(
    f.restored[0],
    '*nat\n:SHOAL-POST-a - [0:0]\n-A SHOAL-POST-a -s 10.240.16.0/20 -d 10.240.0.0/12 -j RETURN\n-A SHOAL-POST-a -s 10.240.16.0/20 -j MASQUERADE\n-I POSTROUTING 1 -j SHOAL-POST-a\nCOMMIT\n',
  );
  assert.match(f.log.find((l) => l.startsWith('iptables-restore')) ?? '', /^iptables-restore -w 5 --noflush \/.*shoal-iptables-.*\/rules$/);
});

test('a bad plan or tag rejects before any command runs, naming the field', async () => {
  const f = fakeRunner(converged);
  const nf = new NetfilterProgrammer(f.run);
  await assert.rejects(nf.converge({ ...plan, bridges: [{ device: 'br0', allowedSources: ['10.240.32.1/26'] }] }), { field: 'netfilter.bridges[0].allowedSources[0]' });
  await assert.rejects(nf.remove('a'.repeat(18)), { field: 'netfilter.tag' });
  assert.deepEqual(f.log, []);
});

test('remove does nothing when nothing of the tag exists', async () => {
  const f = fakeRunner({ filter: '-P FORWARD ACCEPT', nat: '-P POSTROUTING ACCEPT' });
  await new NetfilterProgrammer(f.run).remove('a');
  assert.deepEqual(f.restored, []);
});

test('checkIptables explains a missing tool, missing privileges and a missing kernel feature', async () => {
  const missing: CommandRunner = (cmd) => Promise.reject(new CommandFailedError(cmd, 'ENOENT: spawn iptables ENOENT', undefined));
  assert.match((await checkIptables(missing)) ?? '', /install iptables/);
  assert.match((await checkIptables(fakeRunner({}, 'iptables-restore v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)').run)) ?? '', /CAP_NET_ADMIN/);
  assert.match((await checkIptables(fakeRunner({}, "iptables-restore v1.8.9 (legacy): Couldn't load match `conntrack':No such file or directory").run)) ?? '', /modprobe/);
  const ok = fakeRunner({});
  assert.equal(await checkIptables(ok.run), undefined);
  // The scratch chains are deleted from both tables afterwards.
  assert.equal(ok.log.filter((l) => / -X SHOAL-CHK-[0-9a-f]{8}$/.test(l)).length, 2);
});
