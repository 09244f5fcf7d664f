import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerApiKeyCreate } from './create.js';
import { registerApiKeyLs } from './ls.js';
import { registerApiKeyRevoke } from './revoke.js';

export function registerApiKeyCommands(program: Command, io: CliIo): void {
  const apikey = program.command('apikey').description('manage API keys: of an environment (with a role), or personal ones (--personal)');
  registerApiKeyCreate(apikey, io);
  registerApiKeyLs(apikey, io);
  registerApiKeyRevoke(apikey, io);
}
