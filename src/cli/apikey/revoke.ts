import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

/** `apikey revoke`: effective on the key's next request. */
export function registerApiKeyRevoke(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('revoke')
    .alias('rm')
    .description('revoke API keys of the environment (--env) or personal ones (--personal); the next request with one is refused')
    .argument('<key...>', 'access keys or names')
    .option('--personal', 'your personal keys');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], opts: { personal?: boolean }, command: Command) => {
    const client = await connect(command, io);
    for (const ref of refs) {
      const { accessKey } = opts.personal ? await client.revokeMyApiKey(ref) : await client.revokeApiKey(ref);
      io.out(`${accessKey}\n`);
    }
  });
}
