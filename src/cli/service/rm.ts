import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { reportError } from '../errors.js';

export function registerServiceRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove one or more services and their tasks')
    .argument('<service...>', 'service names or ids');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    let failed = false;
    // Like docker: remove what can be removed, report each failure, and fail at the end.
    for (const ref of refs) {
      try {
        await client.removeService(ref);
        io.out(`${ref}\n`);
      } catch (err) {
        if (io.interrupt.aborted) throw err;
        reportError(err, io);
        failed = true;
      }
    }
    if (failed) throw new CliExit(1);
  });
}
