import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import { CliExit } from '../exit.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { printAudit, withAuditFilters, type AuditFilterFlags } from './list.js';

/** `shoal audit ls|verify`: the lasting, hash-chained history of changes. */
export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('list the audit history of changes and check that nothing in it was altered or removed');

  const ls = audit.command('ls').alias('list').description('list the audit history, oldest first (as `shoal events --since ...`)');
  ls.option('--since <time>', 'history from this time (ISO) or this long ago (30m, 2h, 7d)');
  withAuditFilters(ls);
  withFormatOption(ls);
  withConnectionOptions(ls);
  ls.action(async (opts: AuditFilterFlags, command: Command) => printAudit(opts, command, io));

  const verify = audit.command('verify').description('check the hash chain of the whole history; exit 1 naming the first bad entry');
  withFormatOption(verify);
  withConnectionOptions(verify);
  verify.action(async (opts: { format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const result = await (await connect(command, io)).verifyAudit();
    if (format === 'json') printJson(io, result);
    if (result.ok) {
      if (format !== 'json') io.out(`audit history intact: ${result.checked} entries checked, head #${result.head.seq} ${result.head.hash}\n`);
      return;
    }
    const bad = result.firstBad;
    const where = bad ? `at entry #${bad.seq}: ${bad.reason}` : 'somewhere';
    throw new CliExit(1, `audit history broken ${where} (${result.checked} entries before it check out)`);
  });
}
