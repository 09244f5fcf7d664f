import type { Command } from 'commander';
import { connect, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { waitForConvergence } from '../progress/wait.js';
import { buildCreateRequest, type CreateOptions } from './create-request.js';
import { addCreateOptions } from './service-options.js';

export function registerServiceCreate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('create')
    .description('create a service and wait until its tasks run')
    .argument('<image>', 'container image')
    .argument('[args...]', 'arguments passed to the container')
    // Flags after IMAGE belong to the container's arguments, as with docker.
    .passThroughOptions();
  addCreateOptions(cmd);
  withConnectionOptions(cmd, { env: false });
  cmd.action(async (image: string, args: string[], opts: CreateOptions, command: Command) => {
    const body = buildCreateRequest(image, args, opts, (key) => io.env[key]);
    const client = await connect(command, io);
    const service = await client.createService(body);
    io.out(`${service.id}\n`);
    if (!opts.detach) await waitForConvergence(client, io, { service, operation: 'create' });
  });
}
