import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, withFormatOption } from '../output/format-option.js';
import { generatePassword, readStdinLines } from '../prompt/password-input.js';

/** `account create`: without --password-stdin a random password is made and shown this once. */
export function registerAccountCreate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('create')
    .description('create an account; its password is generated and printed once unless --password-stdin gives one')
    .argument('<username>', 'letters, digits, "_", "." or "-"')
    .option('--admin', 'an administrator: every permission in every environment, manages accounts and environments')
    .option('--password-stdin', 'read the password (at least 12 characters) from standard input');
  withFormatOption(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (username: string, opts: { admin?: boolean; passwordStdin?: boolean; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const generated = opts.passwordStdin ? undefined : generatePassword();
    const password = generated ?? (await readStdinLines(io, 1))[0] ?? '';
    const client = await connect(command, io);
    const account = await client.createAccount({ username, password, admin: opts.admin === true });
    if (format === 'json') return printJson(io, generated ? { ...account, password: generated } : account);
    io.out(`Account ${account.username}${account.admin ? ' (administrator)' : ''} created.\n`);
    if (generated) io.out(`Password (shown once, pass it on safely): ${generated}\n`);
    if (!account.admin) io.out(`It has no role yet: shoal env member add ENV ${account.username} member\n`);
  });
}
