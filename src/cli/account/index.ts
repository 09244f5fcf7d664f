import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerAccountCreate } from './create.js';
import { registerAccountLs } from './ls.js';
import { registerAccountPasswd } from './passwd.js';
import { registerAccountRm } from './rm.js';

export function registerAccountCommands(program: Command, io: CliIo): void {
  const account = program.command('account').description('manage local accounts (administrators), or change your own password');
  registerAccountCreate(account, io);
  registerAccountLs(account, io);
  registerAccountPasswd(account, io);
  registerAccountRm(account, io);
}
