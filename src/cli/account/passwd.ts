import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { askHidden, askNewPassword, generatePassword, readStdinLines } from '../prompt/password-input.js';

/**
 * `account passwd`: without a username, changes your own password (asking for the current one);
 * with one, an administrator sets that account's password and its sessions end.
 */
export function registerAccountPasswd(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('passwd')
    .description('change your own password, or (administrators) set another account\'s; the account\'s sessions end')
    .argument('[username]', 'the account to set the password of (default: your own)')
    .option('--password-stdin', 'read the new password from standard input; for your own, two lines: the current password, then the new one');
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (username: string | undefined, opts: { passwordStdin?: boolean }, command: Command) => {
    const client = await connect(command, io);
    if (username !== undefined) {
      // As with `account create`: no password given means a generated one, shown once.
      const generated = opts.passwordStdin ? undefined : generatePassword();
      const password = generated ?? (await readStdinLines(io, 1))[0] ?? '';
      const account = await client.setAccountPassword(username, password);
      io.out(`Password of ${account.username} set; its sessions have ended.\n`);
      if (generated) io.out(`New password (shown once, pass it on safely): ${generated}\n`);
      return;
    }
    let current: string;
    let password: string;
    if (opts.passwordStdin) {
      [current = '', password = ''] = await readStdinLines(io, 2);
    } else {
      current = await askHidden(io, 'Current password: ');
      password = await askNewPassword(io);
    }
    const account = await client.changeMyPassword({ currentPassword: current, password });
    // The session this CLI asked with stays; the account's other sessions end.
    io.out(`Password of ${account.username} changed; its other sessions have ended.\n`);
  });
}
