import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';

export function registerAccountLs(parent: Command, io: CliIo): void {
  const cmd = parent.command('ls').alias('list').description('list accounts (administrators only)').option('-q, --quiet', 'print usernames only');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (opts: { quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const accounts = await (await connect(command, io)).listAccounts();
    if (format === 'json') return printJson(io, accounts);
    if (opts.quiet) return io.out(accounts.map((a) => `${a.username}\n`).join(''));
    const now = io.now();
    io.out(formatTable(['USERNAME', 'ADMIN', 'CREATED', 'ID'], accounts.map((a) => [a.username, a.admin ? 'yes' : 'no', ago(a.createdAt, now), a.id])));
  });
}
