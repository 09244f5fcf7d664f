import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable } from '../output/table.js';
import { taskRows } from '../service/ps.js';

export function registerStackPs(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('ps')
    .description('list the tasks of a stack, with their history')
    .argument('<stack>', 'stack name')
    .option('--no-trunc', 'do not shorten ids, images and errors')
    .option('-q, --quiet', 'print task ids only');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (name: string, opts: { trunc: boolean; quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = await connect(command, io);
    const [tasks, nodeList] = await Promise.all([client.listStackTasks(name), client.listNodes()]);
    if (format === 'json') return printJson(io, tasks);
    if (opts.quiet) return io.out(tasks.map((t) => `${t.id}\n`).join(''));
    const nodes = new Map(nodeList.map((n) => [n.id, n]));
    io.out(formatTable(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'], taskRows(tasks, nodes, { trunc: opts.trunc, now: io.now() })));
  });
}
