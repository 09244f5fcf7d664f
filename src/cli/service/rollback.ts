import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { waitForConvergence } from '../progress/wait.js';

export function registerServiceRollback(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rollback')
    .description('go back to the previous spec of a service')
    .argument('<service>', 'service name or id')
    .option('-d, --detach', 'return at once instead of waiting');
  withConnectionOptions(cmd);
  cmd.action(async (ref: string, opts: { detach?: boolean }, command: Command) => {
    const client = await connect(command, io);
    const service = await client.rollbackService(ref);
    io.out(`${service.name}: rollback to spec version ${service.specVersion}\n`);
    if (!opts.detach) await waitForConvergence(client, io, { service, operation: 'rollback' });
  });
}
