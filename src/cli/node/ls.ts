import type { Command } from 'commander';
import type { NodeObject } from '../../api/objects.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { capitalize } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';

export function nodeRows(nodes: readonly NodeObject[]): string[][] {
  return [...nodes]
    .sort((a, b) => a.hostname.localeCompare(b.hostname))
    .map((n) => [n.id, n.hostname, capitalize(n.status.state), capitalize(n.availability), n.role, n.engine.version]);
}

export function registerNodeLs(parent: Command, io: CliIo): void {
  const cmd = parent.command('ls').alias('list').description('list nodes').option('-q, --quiet', 'print ids only');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const nodes = await client.listNodes();
    if (format === 'json') return printJson(io, nodes);
    if (opts.quiet) return io.out(nodes.map((n) => `${n.id}\n`).join(''));
    io.out(formatTable(['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'ROLE', 'ENGINE'], nodeRows(nodes)));
  });
}
