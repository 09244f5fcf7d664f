import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import { flagError } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { requiredInputs } from '../../compose/index.js';
import { buildDeployRequest } from './deploy-request.js';
import { printDeployResult, withComposeErrors } from './deploy-output.js';
import { stackSnapshot, waitForStack } from './stack-wait.js';

interface DeployOptions {
  composeFile: string[];
  envFile?: string;
  prune?: boolean;
  detach?: boolean;
  wait?: boolean;
}

/** Waiting is the default in a terminal; a script asks for it with --wait. */
export function shouldWait(opts: { detach?: boolean; wait?: boolean }, isTTY: boolean): boolean {
  if (opts.detach && opts.wait) throw flagError('--detach', 'true', 'cannot be combined with --wait');
  if (opts.wait) return true;
  if (opts.detach) return false;
  return isTTY;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerStackDeploy(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('deploy')
    .description('create or update a stack from compose files; only changed services are updated')
    .argument('<stack>', 'stack name')
    .option('-c, --compose-file <file>', 'compose file; repeat to merge several, in order', collect, [])
    .option('--env-file <file>', 'variables file (default: .env beside the first compose file)')
    .option('--prune', 'remove services the compose files no longer have')
    .option('-d, --detach', 'return once the manager accepted the deploy')
    .option('--wait', 'wait until every service converged (default in a terminal); exit 1 naming a service that failed');
  withConnectionOptions(cmd);
  cmd.action(async (name: string, opts: DeployOptions, command: Command) => {
    const wait = shouldWait(opts, io.isTTY);
    const body = buildDeployRequest(
      { composeFiles: opts.composeFile, ...(opts.envFile !== undefined ? { envFile: opts.envFile } : {}), ...(opts.prune ? { prune: true } : {}) },
      requiredInputs,
      io.env,
    );
    const client = await connect(command, io);
    const before = wait ? await stackSnapshot(client, name) : { services: [], tasks: [] };
    const result = await withComposeErrors(io, () => client.deployStack(name, body));
    printDeployResult(io, result);
    if (wait) await waitForStack(client, io, { result, before });
  });
}
