import { randomBytes } from 'node:crypto';
import type { CommandRunner } from './command-runner.js';
import { CommandFailedError } from './command-runner.js';

export interface KernelSupport {
  ok: boolean;
  /** Each names what is missing and how to get it; empty when `ok`. */
  problems: string[];
  /** Things that do not stop the overlay being programmed but stop traffic crossing it. */
  warnings: string[];
}

const stderrOf = (err: unknown): string => (err instanceof CommandFailedError ? err.stderr.trim() : err instanceof Error ? err.message : String(err));

/**
 * Checks, once at agent start, that this node can carry the overlay, so a missing feature is
 * reported clearly then rather than as an obscure `ip` error on the first convergence: the
 * iproute2 tools with JSON output, and a kernel that can create a VXLAN device (a scratch one
 * with a random name and VNI, deleted at once).
 */
export async function checkKernelSupport(run: CommandRunner): Promise<KernelSupport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  try {
    JSON.parse(await run('ip', ['-j', 'link', 'show', 'lo']));
  } catch (err) {
    problems.push(`the \`ip\` command with JSON output (-j) is needed: install iproute2 4.14 or later (${stderrOf(err)})`);
  }
  try {
    JSON.parse((await run('bridge', ['-j', 'fdb', 'show', 'dev', 'lo'])) || '[]');
  } catch (err) {
    problems.push(`the \`bridge\` command with JSON output (-j) is needed: install iproute2 4.14 or later (${stderrOf(err)})`);
  }
  if (problems.length === 0) {
    const name = `shoalchk${randomBytes(3).toString('hex')}`;
    const vni = 0xf00000 + randomBytes(2).readUInt16BE(0);
    try {
      await run('ip', ['link', 'add', name, 'type', 'vxlan', 'id', String(vni), 'dstport', '0', 'nolearning']);
      await run('ip', ['link', 'del', name]).catch(() => undefined);
    } catch (err) {
      const text = stderrOf(err);
      if (/unknown device type|not supported|no such device|module/i.test(text)) {
        problems.push(`the kernel cannot create VXLAN devices: load the kernel module \`vxlan\` (modprobe vxlan) or use a kernel built with CONFIG_VXLAN (ip said: ${text})`);
      } else if (/not permitted|permission/i.test(text)) {
        problems.push(`creating the VXLAN device was refused: the agent needs CAP_NET_ADMIN (run it as root) (ip said: ${text})`);
      } else {
        problems.push(`could not create a test VXLAN device; the kernel module \`vxlan\` may be missing (ip said: ${text})`);
      }
    }
  }
  try {
    if ((await run('cat', ['/proc/sys/net/ipv4/ip_forward'])).trim() !== '1') {
      warnings.push('net.ipv4.ip_forward is 0: containers cannot reach other nodes until IP forwarding is on (sysctl -w net.ipv4.ip_forward=1)');
    }
  } catch (err) {
    warnings.push(`could not read net.ipv4.ip_forward: ${stderrOf(err)}`);
  }
  return { ok: problems.length === 0, problems, warnings };
}

/** One message for the agent's start-up log or error, listing every problem. */
export function describeKernelSupport(s: KernelSupport): string {
  if (s.ok) return s.warnings.length > 0 ? `overlay: supported, but ${s.warnings.join('; ')}` : 'overlay: kernel and tools support the VXLAN overlay';
  return `overlay: this node cannot join the container network across hosts: ${s.problems.join('; ')}`;
}
