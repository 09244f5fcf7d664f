import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerNodeAvailability } from './availability.js';
import { registerNodeInspect } from './inspect.js';
import { registerNodeLs } from './ls.js';
import { registerNodeRm } from './rm.js';
import { registerNodeUpdate } from './update.js';

export function registerNodeCommands(program: Command, io: CliIo): void {
  const node = program.command('node').description('manage nodes');
  registerNodeLs(node, io);
  registerNodeInspect(node, io);
  registerNodeUpdate(node, io);
  registerNodeRm(node, io);
  registerNodeAvailability(node, io, 'drain', 'drain', 'move all tasks off a node and place no new ones on it');
  registerNodeAvailability(node, io, 'activate', 'active', 'let a drained or paused node take tasks again');
}
