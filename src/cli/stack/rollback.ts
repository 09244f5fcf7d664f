import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { printDeployResult } from './deploy-output.js';
import { shouldWait } from './deploy.js';
import { stackSnapshot, waitForStack } from './stack-wait.js';

export function registerStackRollback(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rollback')
    .description('return every service of a stack to the previous version (a new version, whose source is the old one)')
    .argument('<stack>', 'stack name')
    .option('-d, --detach', 'return once the manager accepted the rollback')
    .option('--wait', 'wait until every service rolled back (default in a terminal); exit 1 naming a service that failed');
  withConnectionOptions(cmd);
  cmd.action(async (name: string, opts: { detach?: boolean; wait?: boolean }, command: Command) => {
    const wait = shouldWait(opts, io.isTTY);
    const client = await connect(command, io);
    const before = wait ? await stackSnapshot(client, name) : { services: [], tasks: [] };
    const result = await client.rollbackStack(name);
    printDeployResult(io, result, 'rolled back as version');
    if (wait) await waitForStack(client, io, { result, before, rollback: true });
  });
}
