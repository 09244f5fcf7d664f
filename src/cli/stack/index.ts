import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerStackDeploy } from './deploy.js';
import { registerStackInspect } from './inspect.js';
import { registerStackLs } from './ls.js';
import { registerStackPs } from './ps.js';
import { registerStackRm } from './rm.js';
import { registerStackRollback } from './rollback.js';
import { registerStackScale } from './scale.js';
import { registerStackServices } from './services.js';

export function registerStackCommands(program: Command, io: CliIo): void {
  const stack = program.command('stack').description('deploy and manage applications described by compose files');
  registerStackDeploy(stack, io);
  registerStackLs(stack, io);
  registerStackPs(stack, io);
  registerStackServices(stack, io);
  registerStackInspect(stack, io);
  registerStackRollback(stack, io);
  registerStackScale(stack, io);
  registerStackRm(stack, io);
}
