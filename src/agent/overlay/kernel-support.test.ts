import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandRunner } from './command-runner.js';
import { CommandFailedError } from './command-runner.js';
import { checkKernelSupport, describeKernelSupport } from './kernel-support.js';

function runner(answers: { vxlanError?: string; forward?: string; noBridge?: boolean }): { run: CommandRunner; log: string[] } {
  const log: string[] = [];
  const run: CommandRunner = (cmd, args) => {
    const line = `${cmd} ${args.join(' ')}`;
    log.push(line);
    if (cmd === 'bridge' && answers.noBridge) return Promise.reject(new CommandFailedError(line, 'spawn bridge ENOENT', undefined));
    if (line.startsWith('ip link add') && answers.vxlanError) return Promise.reject(new CommandFailedError(line, answers.vxlanError, 2));
    if (cmd === 'cat') return Promise.resolve(`${answers.forward ?? '1'}\n`);
    return Promise.resolve(args.includes('-j') ? '[]' : '');
  };
  return { run, log };
}

test('a kernel with VXLAN: ok, and the scratch device is removed again', async () => {
  const { run, log } = runner({});
  const s = await checkKernelSupport(run);
  assert.deepEqual(s, { ok: true, problems: [], warnings: [] });
  const add = log.find((l) => l.startsWith('ip link add'));
  const name = add?.split(' ')[3] ?? '';
  assert.match(name, /^shoalchk[0-9a-f]{6}$/);
  assert.ok(log.includes(`ip link del ${name}`));
  assert.match(describeKernelSupport(s), /support the VXLAN overlay/);
});

test('no vxlan in the kernel: the problem names the module', async () => {
  const s = await checkKernelSupport(runner({ vxlanError: 'Error: Unknown device type.' }).run);
  assert.equal(s.ok, false);
  assert.match(s.problems[0] ?? '', /kernel module `vxlan` \(modprobe vxlan\).*Unknown device type/);
  assert.match(describeKernelSupport(s), /cannot join the container network across hosts: .*vxlan/);
});

test('not allowed, missing bridge tool, forwarding off', async () => {
  assert.match((await checkKernelSupport(runner({ vxlanError: 'RTNETLINK answers: Operation not permitted' }).run)).problems[0] ?? '', /CAP_NET_ADMIN/);
  const noBridge = await checkKernelSupport(runner({ noBridge: true }).run);
  assert.equal(noBridge.ok, false);
  assert.match(noBridge.problems[0] ?? '', /`bridge` command .*iproute2.*ENOENT/);
  const noFwd = await checkKernelSupport(runner({ forward: '0' }).run);
  assert.equal(noFwd.ok, true);
  assert.match(noFwd.warnings[0] ?? '', /ip_forward is 0/);
  assert.match(describeKernelSupport(noFwd), /supported, but/);
});
