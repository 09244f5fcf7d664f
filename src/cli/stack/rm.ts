import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { forEachReportingFailures } from '../remove-each.js';

export function registerStackRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove stacks: their services, and the secrets and configs they created')
    .argument('<stack...>', 'stack names');
  withConnectionOptions(cmd);
  cmd.action(async (names: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    await forEachReportingFailures(names, io, async (name) => {
      const removed = await client.removeStack(name);
      for (const s of removed.services) io.out(`Removing service ${s}\n`);
      for (const f of removed.removedFiles) io.out(`Removing ${f.replace('/', ' ')}\n`);
      for (const f of removed.keptFiles) io.err(`warning: kept ${f}\n`);
    });
  });
}
