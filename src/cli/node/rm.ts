import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

/** `node rm`: removes nodes and revokes their certificates, as `docker node rm` does. */
export function registerNodeRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove nodes from the cluster; their certificates are revoked and their tasks rescheduled')
    .argument('<node...>', 'node ids or hostnames')
    .option('-f, --force', 'remove a node even while it is ready (its agent is refused from then on)');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], opts: { force?: boolean }, command: Command) => {
    const client = await connect(command, io);
    for (const ref of refs) {
      const removed = await client.removeNode(ref, { force: opts.force === true });
      io.out(`${removed.id}\n`);
    }
  });
}
