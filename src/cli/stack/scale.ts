import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { parseScaleArg } from '../service/scale.js';

export function registerStackScale(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('scale')
    .description('set the replicas of services of a stack, by their compose names, in one change')
    .argument('<stack>', 'stack name')
    .argument('<service=replicas...>', 'e.g. web=3 db=1');
  withConnectionOptions(cmd);
  cmd.action(async (name: string, args: string[], _opts: unknown, command: Command) => {
    const services = Object.fromEntries(args.map(parseScaleArg));
    const client = await connect(command, io);
    for (const s of await client.scaleStack(name, services)) io.out(`${s.name} scaled to ${s.spec.replicas}\n`);
  });
}
