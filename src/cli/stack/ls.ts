import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';

export function registerStackLs(parent: Command, io: CliIo): void {
  const cmd = parent.command('ls').alias('list').description('list stacks');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const stacks = await client.listStacks();
    if (format === 'json') return printJson(io, stacks);
    const rows = stacks.map((s) => [s.name, String(s.services), String(s.version), s.deployedBy, ago(s.updatedAt, io.now())]);
    io.out(formatTable(['NAME', 'SERVICES', 'VERSION', 'DEPLOYED BY', 'UPDATED'], rows));
  });
}
