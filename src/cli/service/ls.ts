import type { Command } from 'commander';
import type { ServiceView } from '../../client/types.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable, shortId } from '../output/table.js';
import { formatPort } from '../parse/publish.js';

export function serviceRows(services: readonly ServiceView[], trunc = true): string[][] {
  return [...services]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => [
      shortId(s.id, trunc),
      s.name,
      s.spec.mode,
      replicaCount(s.replicas),
      s.spec.image,
      s.spec.ports.map(formatPort).join(', '),
      s.updateStatus ? s.updateStatus.state.replace('_', ' ') : '',
    ]);
}

/** `2/3`, or `0/1 (1 completed)` for a one-shot service that finished: done, not broken. */
export function replicaCount(r: ServiceView['replicas']): string {
  const completed = r.completed ?? 0;
  return `${r.running}/${r.desired}${completed > 0 ? ` (${completed} completed)` : ''}`;
}

export function registerServiceLs(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('ls')
    .alias('list')
    .description('list services')
    .option('--name <name>', 'only the service with this name')
    .option('-q, --quiet', 'print ids only')
    .option('--no-trunc', 'do not shorten ids');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { name?: string; quiet?: boolean; trunc: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const services = await client.listServices(opts.name ? { name: opts.name } : {});
    if (format === 'json') return printJson(io, services);
    if (opts.quiet) return io.out(services.map((s) => `${s.id}\n`).join(''));
    io.out(formatTable(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS', 'UPDATE'], serviceRows(services, opts.trunc)));
  });
}
