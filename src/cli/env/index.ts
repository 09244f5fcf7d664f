import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerEnvCreate } from './create.js';
import { registerEnvInspect } from './inspect.js';
import { registerEnvLs } from './ls.js';
import { registerEnvMemberCommands } from './member.js';
import { registerEnvRm } from './rm.js';
import { registerEnvUpdate } from './update.js';
import { registerEnvUse } from './use.js';

export function registerEnvCommands(program: Command, io: CliIo): void {
  const env = program.command('env').description('manage environments (dev, test, prod...) and their members');
  registerEnvCreate(env, io);
  registerEnvLs(env, io);
  registerEnvInspect(env, io);
  registerEnvUpdate(env, io);
  registerEnvRm(env, io);
  registerEnvUse(env, io);
  registerEnvMemberCommands(env, io);
}
