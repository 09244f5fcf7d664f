import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerLogin } from './login.js';
import { registerLogout } from './logout.js';
import { registerWhoami } from './whoami.js';

export function registerSessionCommands(program: Command, io: CliIo): void {
  registerLogin(program, io);
  registerLogout(program, io);
  registerWhoami(program, io);
}
