import type { Command } from 'commander';
import { flagError } from '../flag-error.js';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { parseNonNegativeInt } from '../parse/number.js';
import { ParseError } from '../parse/parse-error.js';
import { waitForConvergence } from '../progress/wait.js';

/** "web=5" → ["web", 5]; every argument is checked before any service is touched. */
export function parseScaleArg(arg: string): [string, number] {
  const eq = arg.lastIndexOf('=');
  const name = eq === -1 ? '' : arg.slice(0, eq);
  if (!name) throw flagError('scale', arg, 'expected SERVICE=REPLICAS');
  try {
    return [name, parseNonNegativeInt(arg.slice(eq + 1))];
  } catch (err) {
    if (err instanceof ParseError) throw flagError('scale', arg, `${err.message} of replicas`);
    throw err;
  }
}

export function registerServiceScale(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('scale')
    .description('set the number of replicas of one or more services')
    .argument('<service=replicas...>', 'e.g. web=5 api=2')
    .option('-d, --detach', 'return at once instead of waiting');
  withConnectionOptions(cmd);
  cmd.action(async (args: string[], opts: { detach?: boolean }, command: Command) => {
    const targets = args.map(parseScaleArg);
    const client = await connect(command, io);
    for (const [ref, replicas] of targets) {
      const service = await client.scaleService(ref, replicas);
      io.out(`${service.name} scaled to ${replicas}\n`);
      if (!opts.detach) await waitForConvergence(client, io, { service, operation: 'scale' });
    }
  });
}
