import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import { reportError } from '../errors.js';
import { CliExit } from '../exit.js';
import type { CliIo } from '../io.js';

export function registerStackRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove stacks: their services, and the secrets and configs they created')
    .argument('<stack...>', 'stack names');
  withConnectionOptions(cmd);
  cmd.action(async (names: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    let failed = false;
    for (const name of names) {
      try {
        const removed = await client.removeStack(name);
        for (const s of removed.services) io.out(`Removing service ${s}\n`);
        for (const f of removed.removedFiles) io.out(`Removing ${f.replace('/', ' ')}\n`);
        for (const f of removed.keptFiles) io.err(`warning: kept ${f}\n`);
      } catch (err) {
        if (io.interrupt.aborted) throw err;
        reportError(err, io);
        failed = true;
      }
    }
    if (failed) throw new CliExit(1);
  });
}
