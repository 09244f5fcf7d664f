import type { Command } from 'commander';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable, truncate } from '../output/table.js';

/** `env ls`: the environments you can see (all for administrators), * marking the one commands act in. */
export function registerEnvLs(parent: Command, io: CliIo): void {
  const cmd = parent.command('ls').alias('list').description('list the environments you can see; * marks the one commands act in').option('-q, --quiet', 'print names only');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const conn = await resolveFor(command, io);
    const envs = await clientFor(conn, io).listEnvironments();
    if (format === 'json') return printJson(io, envs);
    if (opts.quiet) return io.out(envs.map((e) => `${e.name}\n`).join(''));
    const current = conn.env ?? 'default';
    const now = io.now();
    const rows = envs.map((e) => [e.name === current ? '*' : '', e.name, e.role ?? '', ago(e.createdAt, now), truncate(e.description ?? '', 60)]);
    io.out(formatTable(['CURRENT', 'NAME', 'YOUR ROLE', 'CREATED', 'DESCRIPTION'], rows));
  });
}
