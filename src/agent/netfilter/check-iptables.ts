import { randomBytes } from 'node:crypto';
import type { CommandRunner } from '../overlay/command-runner.js';
import { CommandFailedError } from '../overlay/command-runner.js';
import { iptablesRestore } from './iptables-restore.js';
import { restoreText } from './netfilter-diff.js';

const stderrOf = (err: unknown): string => (err instanceof CommandFailedError ? err.stderr.trim() : err instanceof Error ? err.message : String(err));

/**
 * Checks once, at agent start, that this node can carry the overlay's packet filter rules, so a
 * missing tool or kernel feature is reported then in words rather than as an iptables error on
 * the first convergence. Tries exactly what convergence uses on a scratch chain pair with a
 * random name (a conntrack match in filter, MASQUERADE in nat, through iptables-restore from a
 * file), removed at once. Resolves undefined when usable, else a reason to show the operator.
 */
export async function checkIptables(run: CommandRunner): Promise<string | undefined> {
  try {
    await run('iptables', ['--version']);
  } catch (err) {
    return `the \`iptables\` command is needed to let overlay traffic through Docker's firewall: install iptables (${stderrOf(err)})`;
  }
  const chain = `SHOAL-CHK-${randomBytes(4).toString('hex')}`;
  const probe = restoreText([
    { table: 'filter', lines: [`:${chain} - [0:0]`, `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`] },
    { table: 'nat', lines: [`:${chain} - [0:0]`, `-A ${chain} -s 192.0.2.0/24 -j MASQUERADE`] },
  ]);
  try {
    await iptablesRestore(run, probe);
    return undefined;
  } catch (err) {
    const text = stderrOf(err);
    if (/not permitted|permission denied/i.test(text)) return `changing iptables rules was refused: the agent needs CAP_NET_ADMIN (run it as root) (iptables-restore said: ${text})`;
    if (/ENOENT|not found/i.test(text) && !/chain|match|target|table/i.test(text)) return `the \`iptables-restore\` command is needed: install iptables (${text})`;
    if (/table|module|protocol not supported|couldn't load|no such file/i.test(text)) {
      return `the kernel lacks a packet filter feature the overlay needs (nf_tables or ip_tables, the nat table, the conntrack match, MASQUERADE): load the modules (e.g. modprobe nf_nat xt_conntrack xt_MASQUERADE) (iptables-restore said: ${text})`;
    }
    return `iptables cannot apply the overlay's rules (iptables-restore said: ${text})`;
  } finally {
    // Whatever part of the probe got in, take it out; a chain that is not there is fine.
    for (const table of ['filter', 'nat']) {
      await run('iptables', ['-w', '5', '-t', table, '-F', chain]).catch(() => undefined);
      await run('iptables', ['-w', '5', '-t', table, '-X', chain]).catch(() => undefined);
    }
  }
}
