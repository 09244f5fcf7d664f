import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIptablesListing } from '../../../src/agent/netfilter/iptables-listing.js';
import { diffRemoval, restoreText } from '../../../src/agent/netfilter/netfilter-diff.js';
import { chainNames } from '../../../src/agent/netfilter/netfilter-plan.js';
import { netfilterTag } from '../../../src/api/networks.js';
import type { RunState } from './run-state.js';
import { commandLine } from './run-state.js';
import { runSync } from './run-command.js';

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Running and not a zombie (a child this process has not reaped yet still answers kill(pid, 0)). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** Signals a process only if its command line still names the run's directory (no pid reuse accidents). */
function signalOwned(pid: number, dir: string, sig: NodeJS.Signals): boolean {
  if (!isRunning(pid) || !commandLine(pid).includes(dir)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function waitGone(pids: number[], ms: number): void {
  const deadline = Date.now() + ms;
  while (pids.some(isRunning) && Date.now() < deadline) sleepSync(100);
}

/** Every process whose command line names the run directory: dockerd's containerd and shims too. */
function processesOfRun(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (commandLine(pid).includes(`${dir}/`) && isRunning(pid)) out.push(pid);
  }
  return out;
}

function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function removeIptablesRules(comment: string, problems: string[]): void {
  for (const table of ['filter', 'nat']) {
    const rules = runSync('iptables', ['-t', table, '-S']).stdout.split('\n');
    for (const rule of rules) {
      const args = rule.trim().split(/\s+/).map((a) => a.replace(/^"|"$/g, ''));
      if (args[0] !== '-A' || !args.includes(comment)) continue;
      const r = runSync('iptables', ['-t', table, '-D', ...args.slice(1)]);
      if (r.status !== 0) problems.push(`iptables -t ${table} -D ${args.slice(1).join(' ')}: ${r.stderr.trim()}`);
    }
  }
}

function removeCgroup(path: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) return;
  for (const e of readdirSync(path, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(join(path, e.name));
  try {
    rmdirSync(path);
  } catch {
    // still has processes: nothing more to do without killing what is not ours
  }
}

function removeCgroups(parent: string): void {
  const root = '/sys/fs/cgroup';
  removeCgroup(join(root, parent));
  for (const c of readdirSync(root, { withFileTypes: true })) if (c.isDirectory()) removeCgroup(join(root, c.name, parent));
}

/**
 * The packet filter chains of a node's agent on the host, with the agent's own removal logic
 * (`diffRemoval`), run synchronously for the exit handler.
 */
function removeNodeChains(tag: string): void {
  const { forward, postrouting } = chainNames(tag);
  const sections = (['filter', 'nat'] as const).map((table) => ({
    table,
    lines: diffRemoval(table === 'filter' ? forward : postrouting, parseIptablesListing(runSync('iptables', ['-w', '5', '-t', table, '-S']).stdout)),
  }));
  const text = restoreText(sections);
  if (text === '') return;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-mh-iptables-'));
  try {
    writeFileSync(join(dir, 'rules'), text, { mode: 0o600 });
    runSync('iptables-restore', ['-w', '5', '--noflush', join(dir, 'rules')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dockerAt(socket: string | undefined, args: string[]): string[] {
  const host = socket ? ['-H', `unix://${socket}`] : [];
  const r = runSync('docker', [...host, ...args], 20_000);
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/**
 * Removes everything a run created, in an order that never leaves a busy resource behind:
 * Shoal processes, containers, engines (TERM then KILL), leftover processes of the run, mounts,
 * files, namespaces, veths, iptables rules (by the run's comment) and cgroups.
 * Synchronous so the process 'exit' handler can run it. Returns what could not be removed.
 */
export function teardownRun(state: RunState): string[] {
  const problems: string[] = [];
  for (const p of state.processes) signalOwned(p.pid, state.dir, 'SIGKILL');
  waitGone(state.processes.map((p) => p.pid), 5000);

  for (const nodeId of state.hostNodeIds) {
    const ids = dockerAt(undefined, ['ps', '-aq', '--filter', `label=io.shoal.node.id=${nodeId}`]);
    if (ids.length > 0) dockerAt(undefined, ['rm', '-f', '-v', ...ids]);
    const networks = dockerAt(undefined, ['network', 'ls', '-q', '--filter', `label=io.shoal.node.id=${nodeId}`]);
    if (networks.length > 0) dockerAt(undefined, ['network', 'rm', ...networks]);
    removeNodeChains(netfilterTag(nodeId));
  }
  for (const e of state.engines) {
    if (!isRunning(e.pid)) continue;
    const ids = dockerAt(e.socket, ['ps', '-aq']);
    if (ids.length > 0) dockerAt(e.socket, ['rm', '-f', '-v', ...ids]);
  }
  const engines = state.engines.filter((e) => signalOwned(e.pid, state.dir, 'SIGTERM')).map((e) => e.pid);
  waitGone(engines, 15_000);
  for (const pid of engines) signalOwned(pid, state.dir, 'SIGKILL');
  const rest = processesOfRun(state.dir);
  for (const pid of rest) signalOwned(pid, state.dir, 'SIGKILL');
  waitGone([...engines, ...rest], 5000);
  for (const pid of processesOfRun(state.dir)) problems.push(`process ${pid} (${commandLine(pid).slice(0, 80)}) would not die`);

  if (existsSync(state.dir)) {
    for (const point of mountsUnder(state.dir)) {
      const r = runSync('umount', ['-l', point]);
      if (r.status !== 0) problems.push(`umount -l ${point}: ${r.stderr.trim()}`);
    }
    try {
      rmSync(state.dir, { recursive: true, force: true });
    } catch (err) {
      problems.push(`rm -rf ${state.dir}: ${(err as Error).message}`);
    }
  }
  const namespaces = runSync('ip', ['netns', 'list']).stdout;
  for (const ns of state.namespaces) {
    if (!namespaces.includes(ns)) continue;
    const r = runSync('ip', ['netns', 'del', ns]);
    if (r.status !== 0) problems.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
  }
  for (const veth of state.veths) {
    if (runSync('ip', ['link', 'show', veth]).status === 0) runSync('ip', ['link', 'del', veth]);
  }
  removeIptablesRules(state.ruleComment, problems);
  for (const e of state.engines) removeCgroups(e.cgroupParent);
  return problems;
}
