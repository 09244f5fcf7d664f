import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

export function registerEnvRm(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('rm')
    .alias('remove')
    .description('remove environments (administrators); refused while one still has services or nodes, which are named')
    .argument('<name...>', 'environment names');
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (names: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    for (const name of names) {
      await client.removeEnvironment(name);
      io.out(`${name}\n`);
    }
  });
}
