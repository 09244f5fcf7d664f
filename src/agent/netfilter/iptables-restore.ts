import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../overlay/command-runner.js';

/**
 * Applies restore input with `iptables-restore --noflush`, each table in one transaction.
 * The input goes through a private temporary file because a `CommandRunner` has no stdin; the
 * runner must therefore see this process's file system (the host, or `nsenter --net`, which
 * changes only the network namespace).
 */
export async function iptablesRestore(run: CommandRunner, text: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-iptables-'));
  try {
    const file = join(dir, 'rules');
    await writeFile(file, text, { mode: 0o600 });
    // -w: wait for the xtables lock (iptables-legacy) rather than fail while Docker holds it.
    await run('iptables-restore', ['-w', '5', '--noflush', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `iptables -t TABLE -S`: the whole table, so one read answers every question about it. */
export function listTable(run: CommandRunner, table: string): Promise<string> {
  return run('iptables', ['-w', '5', '-t', table, '-S']);
}
