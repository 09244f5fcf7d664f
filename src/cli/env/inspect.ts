import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { environmentText } from './environment-text.js';

/** `env inspect NAME`: an environment you can see, with its quotas. */
export function registerEnvInspect(parent: Command, io: CliIo): void {
  const cmd = parent.command('inspect').description('show an environment with its quotas').argument('<name>', 'environment name');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (name: string, opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const env = await (await connect(command, io)).getEnvironment(name);
    if (format === 'json') return printJson(io, env);
    io.out(environmentText(env));
  });
}
