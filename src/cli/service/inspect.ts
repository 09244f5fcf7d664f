import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';

export function registerServiceInspect(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('inspect')
    .description('show services as JSON, with their update status')
    .argument('<service...>', 'service names or ids');
  withFormatOption(cmd, 'json');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], opts: { format?: string }, command: Command) => {
    outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    // An array even for one service, as `docker service inspect` prints.
    printJson(io, await Promise.all(refs.map((ref) => client.getService(ref))));
  });
}
