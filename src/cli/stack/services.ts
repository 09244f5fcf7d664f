import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable } from '../output/table.js';
import { serviceRows } from '../service/ls.js';

export function registerStackServices(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('services')
    .description('list the services of a stack')
    .argument('<stack>', 'stack name')
    .option('-q, --quiet', 'print ids only')
    .option('--no-trunc', 'do not shorten ids');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (name: string, opts: { quiet?: boolean; trunc: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const services = await client.listStackServices(name);
    if (format === 'json') return printJson(io, services);
    if (opts.quiet) return io.out(services.map((s) => `${s.id}\n`).join(''));
    io.out(formatTable(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS', 'UPDATE'], serviceRows(services, opts.trunc)));
  });
}
