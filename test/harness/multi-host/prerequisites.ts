import { join } from 'node:path';
import { commandExists, runSync } from './run-command.js';

export const repoRoot = new URL('../../..', import.meta.url).pathname;

/** Command → the Debian package that provides it. */
const tools: Record<string, string> = { ip: 'iproute2', iptables: 'iptables', nsenter: 'util-linux', umount: 'mount' };

let checked = false;

/**
 * Makes sure this machine can run a multi-host cluster: root, iproute2, iptables, nsenter, a
 * Docker Engine on the default socket and the test images. Installs missing Debian packages once;
 * fails with a message naming what is missing otherwise.
 */
export function ensurePrerequisites(): void {
  if (checked) return;
  if (process.getuid?.() !== 0) throw new Error('the multi-host harness needs root (network namespaces, veths, iptables, dockerd)');
  const missing = Object.keys(tools).filter((t) => !commandExists(t));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => tools[t] ?? t))];
    if (commandExists('apt-get')) {
      process.stderr.write(`multi-host harness: installing ${pkgs.join(' ')}\n`);
      runSync('apt-get', ['update', '-qq'], 180_000);
      runSync('apt-get', ['install', '-y', '-qq', ...pkgs], 300_000);
    }
    const still = missing.filter((t) => !commandExists(t));
    if (still.length > 0) {
      throw new Error(`the multi-host harness needs ${still.join(', ')} (Debian packages: ${still.map((t) => tools[t]).join(', ')}); install them and retry`);
    }
  }
  for (const script of ['ensure-docker.sh', 'build-test-images.sh']) {
    const r = runSync('bash', [join(repoRoot, 'scripts', script)], 300_000);
    if (r.status !== 0) throw new Error(`scripts/${script} failed: ${r.stderr.trim()}`);
  }
  if (!commandExists('dockerd')) throw new Error('dockerd is missing after scripts/ensure-docker.sh');
  if (runSync('sysctl', ['-n', 'net.ipv4.ip_forward']).stdout.trim() !== '1') {
    // dockerd on the host normally sets this; without it no packet crosses a veth to the manager.
    runSync('sysctl', ['-w', 'net.ipv4.ip_forward=1']);
  }
  checked = true;
}
