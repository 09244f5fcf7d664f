import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

export function registerAccountRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove accounts; their sessions end at once (the last administrator cannot be removed)')
    .argument('<username...>', 'usernames or account ids');
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    for (const ref of refs) {
      await client.removeAccount(ref);
      io.out(`${ref}\n`);
    }
  });
}
