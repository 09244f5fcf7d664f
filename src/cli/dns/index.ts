import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import { CliExit } from '../exit.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';

/** `shoal dns lookup NAME --from SERVICE`: resolution as a task of SERVICE sees it, for debugging. */
export function registerDnsCommands(program: Command, io: CliIo): void {
  const noun = program.command('dns').description('debug service discovery');
  const lookup = noun
    .command('lookup')
    .description('resolve NAME as a task of SERVICE would (exit 1 when there is no address)')
    .argument('<name>', 'the name a container would ask, e.g. db, db.mystack, tasks.db')
    .requiredOption('--from <service>', 'the service whose tasks would ask');
  withFormatOption(lookup);
  withConnectionOptions(lookup);
  lookup.action(async (name: string, opts: { from: string; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const r = await (await connect(command, io)).dnsLookup(name, opts.from);
    if (format === 'json') printJson(io, r);
    else {
      const scope = `${r.from.service} (${r.from.stack ? `stack ${r.from.stack}, ` : ''}environment ${r.from.env})`;
      if (r.answer === 'forward') io.out(`${name}: not a Shoal name from ${scope}: forwarded to the host's resolver\n`);
      else if (r.answer === 'nxdomain') io.out(`${name}: no such name from ${scope}\n`);
      else if (r.addresses.length === 0) io.out(`${name}: a Shoal name from ${scope}, but no running and healthy task: empty answer\n`);
      else io.out(r.addresses.map((a) => `${name}\t${a}\n`).join(''));
    }
    if (r.addresses.length === 0) throw new CliExit(1);
  });
}
