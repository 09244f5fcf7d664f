import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerServiceCreate } from './create.js';
import { registerServiceInspect } from './inspect.js';
import { registerServiceLogs } from './logs.js';
import { registerServiceLs } from './ls.js';
import { registerServicePs } from './ps.js';
import { registerServiceRm } from './rm.js';
import { registerServiceRollback } from './rollback.js';
import { registerServiceScale } from './scale.js';
import { registerServiceUpdate } from './update.js';
import { registerServiceUpgrade } from './upgrade.js';

export function registerServiceCommands(program: Command, io: CliIo): void {
  const service = program.command('service').description('manage services');
  registerServiceCreate(service, io);
  registerServiceLs(service, io);
  registerServicePs(service, io);
  registerServiceInspect(service, io);
  registerServiceUpdate(service, io);
  registerServiceScale(service, io);
  registerServiceRollback(service, io);
  registerServiceUpgrade(service, io);
  registerServiceLogs(service, io);
  registerServiceRm(service, io);
}
