import type { Command } from 'commander';
import type { NodeAvailability } from '../../api/objects.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';

/** `node drain` and `node activate`: shorthands for `node update --availability`. */
export function registerNodeAvailability(parent: Command, io: CliIo, verb: string, availability: NodeAvailability, description: string): void {
  const cmd = parent.command(verb).description(description).argument('<node...>', 'node ids or hostnames');
  withConnectionOptions(cmd);
  cmd.action(async (refs: string[], _opts: unknown, command: Command) => {
    const client = await connect(command, io);
    for (const ref of refs) {
      const node = await client.updateNode(ref, { availability });
      io.out(`${node.hostname}: ${node.availability}\n`);
    }
  });
}
