import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerFileCommands } from './file-commands.js';

export function registerSecretCommands(program: Command, io: CliIo): void {
  registerFileCommands(program, io, 'secret');
}
