import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { removeEach } from '../remove-each.js';

export function registerServiceRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove one or more services and their tasks')
    .argument('<service...>', 'service names or ids');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    await removeEach(refs, io, (ref) => client.removeService(ref));
  });
}
