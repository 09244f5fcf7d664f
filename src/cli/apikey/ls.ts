import type { Command } from 'commander';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { ago } from '../output/relative-time.js';
import { formatTable } from '../output/table.js';

/** `apikey ls`: the manager never sends secrets back, so there are none to hide here. */
export function registerApiKeyLs(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('ls')
    .alias('list')
    .description('list the API keys of the environment (--env), or your personal ones (--personal); secrets are never shown')
    .option('--personal', 'your personal keys')
    .option('-q, --quiet', 'print access keys only');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { personal?: boolean; quiet?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const client = clientFor(await resolveFor(command, io), io);
    const keys = opts.personal ? await client.listMyApiKeys() : await client.listApiKeys();
    if (format === 'json') return printJson(io, keys);
    if (opts.quiet) return io.out(keys.map((k) => `${k.accessKey}\n`).join(''));
    const now = io.now();
    const rows = keys.map((k) => [k.accessKey, k.name, k.env || '(personal)', k.role ?? '(account\'s)', k.createdBy, ago(k.createdAt, now), k.lastUsedAt ? ago(k.lastUsedAt, now) : 'never']);
    io.out(formatTable(['ACCESS KEY', 'NAME', 'ENV', 'ROLE', 'CREATED BY', 'CREATED', 'LAST USED'], rows));
  });
}
