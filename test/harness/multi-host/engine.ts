import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { RunState } from './run-state.js';
import { commandLine, saveRunState } from './run-state.js';
import { run } from './run-command.js';
import { isRunning } from './teardown.js';

export const testImages = ['shoal-test/busybox:1', 'shoal-test/busybox:2', 'shoal-test/busybox:crash'];

export interface StartedEngine {
  socket: string;
  pid: number;
  docker: Docker;
  logFile: string;
}

/**
 * A dockerd of its own inside a network namespace: own socket, data-root, exec-root, pidfile,
 * cgroup parent and config file (so the host's /etc/docker/daemon.json does not apply), and its
 * own docker0 (--bip) and iptables inside the namespace. Started with `nsenter --net=`, never
 * `ip netns exec` (which remounts /sys and breaks dockerd's cgroup detection).
 */
export async function startEngine(state: RunState, name: string, namespace: string, bridgeCidr: string): Promise<StartedEngine> {
  const dir = join(state.dir, name);
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const logFile = join(dir, 'dockerd.log');
  const config = join(dir, 'daemon.json');
  writeFileSync(config, '{}\n');
  const cgroupParent = `/docker-${name}`;
  const out = openSync(logFile, 'a');
  const args = [
    `--net=/run/netns/${namespace}`,
    'dockerd',
    '-H', `unix://${socket}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--config-file', config,
    '--bip', bridgeCidr,
    '--cgroup-parent', cgroupParent,
    '--containerd-namespace', name,
    '--containerd-plugins-namespace', `${name}-plugins`,
  ];
  const proc = spawn('nsenter', args, { stdio: ['ignore', out, out] });
  closeSync(out);
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`could not start dockerd for ${name}`);
  // nsenter execs dockerd: this pid is the engine's. A restart (same name, same dirs) replaces the entry.
  state.engines = [...state.engines.filter((e) => e.name !== name), { name, dir, socket, pid, cgroupParent }];
  saveRunState(state);
  proc.unref();
  const docker = new Docker({ socketPath: socket });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await docker.ping();
      break;
    } catch {
      if (!isRunning(pid)) throw new Error(`dockerd of ${name} exited:\n${tail(logFile)}`);
      if (Date.now() > deadline) throw new Error(`dockerd of ${name} did not answer within 60 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { socket, pid, docker, logFile };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/**
 * SIGKILL of an engine started by startEngine (its containerd and shims are left to themselves,
 * as after a crash); resolves once the dockerd process is gone.
 */
export async function killEngine(state: RunState, name: string): Promise<void> {
  const e = state.engines.find((x) => x.name === name);
  if (!e) throw new Error(`no engine ${name} in run ${state.runId}`);
  if (!isRunning(e.pid) || !commandLine(e.pid).includes(state.dir)) return;
  process.kill(e.pid, 'SIGKILL');
  // dockerd's own containerd dies with it (parent-death signal), but stays a zombie here until
  // the machine's PID 1 reaps it, seconds later; a dockerd started meanwhile takes the zombie's
  // pid for a live containerd, waits for its socket and gives up. An init that reaps at once
  // (systemd) leaves no such pid: remove the pid file of a containerd that is dead or a zombie.
  const containerdPidFile = join(e.dir, 'exec', 'containerd', 'containerd.pid');
  const containerd = Number(readIfThere(containerdPidFile));
  const deadline = Date.now() + 15_000;
  while (isRunning(e.pid) || (containerd > 0 && isRunning(containerd))) {
    if (Date.now() > deadline) throw new Error(`dockerd of ${name} (pid ${e.pid}) or its containerd survived SIGKILL for 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(containerdPidFile, { force: true });
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** `docker save` of the test images from the host engine, once per run. */
export async function saveTestImages(state: RunState): Promise<string> {
  const file = join(state.dir, 'test-images.tar');
  await run('docker', ['save', '-o', file, ...testImages]);
  return file;
}

export async function loadImages(socket: string, archive: string): Promise<void> {
  await run('docker', ['-H', `unix://${socket}`, 'load', '-q', '-i', archive]);
}
