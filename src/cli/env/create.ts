import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';

export function registerEnvCreate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('create')
    .description('create an environment (administrators); it has its own nodes, services, join tokens, keys and members')
    .argument('<name>', 'letters, digits, "_", "." or "-"')
    .option('--description <text>', 'what the environment is for');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (name: string, opts: { description?: string; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const env = await (await connect(command, io)).createEnvironment({ name, ...(opts.description !== undefined ? { description: opts.description } : {}) });
    if (format === 'json') return printJson(io, env);
    io.out(`${env.name}\n`);
  });
}
