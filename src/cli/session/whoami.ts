import type { Command } from 'commander';
import { clientFor, resolveFor, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';

/** `shoal whoami`: who the manager takes this CLI for, and its role in the environment. */
export function registerWhoami(program: Command, io: CliIo): void {
  const cmd = program.command('whoami').description('show who the manager takes you for, and your role in the environment');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const conn = await resolveFor(command, io);
    const me = await clientFor(conn, io).whoami();
    if (format === 'json') return printJson(io, me);
    const caller = me.caller;
    const who = caller ? `${caller.type === 'account' ? 'account' : 'API key'} ${caller.name}${caller.type === 'apikey' ? ` (${caller.id})` : ''}` : me.actor;
    const lines = [
      ['user', who],
      ['administrator', caller?.admin ? 'yes' : 'no'],
      ['environment', me.env],
      ['role', caller?.admin ? 'administrator (every permission)' : (caller?.role ?? 'none')],
      ['host', conn.host],
      ['context', conn.contextName ?? '(none)'],
    ];
    io.out(lines.map(([k, v]) => `${`${k}:`.padEnd(15)}${v}\n`).join(''));
  });
}
