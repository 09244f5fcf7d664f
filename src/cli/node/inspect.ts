import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';

export function registerNodeInspect(parent: Command, io: CliIo): void {
  const cmd = parent.command('inspect').description('show nodes as JSON').argument('<node...>', 'node ids or hostnames');
  withFormatOption(cmd, 'json');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], opts: { format?: string }, command: Command) => {
    outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    printJson(io, await Promise.all(refs.map((ref) => client.getNode(ref))));
  });
}
