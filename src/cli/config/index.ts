import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerFileCommands } from '../secret/file-commands.js';

/** `shoal config`: the secret commands' twin, plus `inspect --content` (configs are not secret). */
export function registerConfigCommands(program: Command, io: CliIo): void {
  registerFileCommands(program, io, 'config');
}
