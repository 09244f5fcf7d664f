import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { formatTable } from '../output/table.js';

export function registerStackInspect(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('inspect')
    .description('show a stack: current version, source files, variable names, rendered spec, history')
    .argument('<stack>', 'stack name');
  withFormatOption(cmd, 'json');
  withConnectionOptions(cmd);
  cmd.action(async (name: string, opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format, 'json');
    const client = await connect(command, io);
    const stack = await client.getStack(name);
    if (format === 'json') return printJson(io, stack);
    io.out(`Name:         ${stack.name}\nVersion:      ${stack.version}${stack.rollbackOf !== undefined ? ` (rollback of version ${stack.rollbackOf})` : ''}\n`);
    io.out(`Deployed:     ${stack.deployedAt} by ${stack.deployedBy}\nFiles:        ${stack.source.files.map((f) => f.name).join(', ')}${stack.source.envFile ? ` (env file ${stack.source.envFile.name})` : ''}\n`);
    io.out(`Variables:    ${stack.source.variables.join(', ') || '-'}\n\n`);
    io.out(formatTable(['SERVICE', 'NAME'], Object.entries(stack.services)));
    if (stack.history.length > 0) {
      io.out('\n');
      io.out(formatTable(['VERSION', 'DEPLOYED', 'BY'], [...stack.history].reverse().map((h) => [String(h.version), h.deployedAt, h.deployedBy])));
    }
  });
}
