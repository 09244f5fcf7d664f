import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { ServiceView } from '../../client/types.js';
import { connect, connectionOptionKeys, withConnectionOptions } from '../connection.js';
import type { CliIo } from '../io.js';
import { waitForConvergence } from '../progress/wait.js';
import { applyServiceFlags } from './apply-flags.js';
import type { ServiceFlagValues } from './flag-values.js';
import { addUpdateOptions } from './service-options.js';

type UpdateOptions = ServiceFlagValues & { detach?: boolean; host?: string; env?: string };

const connectionKeys = new Set(['detach', ...connectionOptionKeys]);

export function registerServiceUpdate(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('update')
    .description('change a service: read its spec, apply the flags, send it back, wait for the rolling update')
    .argument('<service>', 'service name or id');
  addUpdateOptions(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (ref: string, opts: UpdateOptions, command: Command) => {
    if (!Object.keys(opts).some((k) => !connectionKeys.has(k))) {
      throw new ShoalError('invalid_argument', 'nothing to update: give at least one flag (see shoal service update --help)');
    }
    const client = await connect(command, io);
    const service = await updateWithRetry(client, ref, opts, io);
    io.out(`${service.name}\n`);
    if (!opts.detach) await waitForConvergence(client, io, { service, operation: 'update' });
  });
}

/**
 * Read-modify-write with the version that was read. When another writer got in between, the
 * manager refuses with a conflict; the flags are applied again to the fresh spec.
 */
async function updateWithRetry(client: ShoalClient, ref: string, opts: UpdateOptions, io: CliIo): Promise<ServiceView> {
  for (let attempt = 1; ; attempt++) {
    const current = await client.getService(ref);
    const spec = applyServiceFlags(current.spec, opts, { lookupEnv: (key) => io.env[key] });
    if (isDeepStrictEqual(spec, current.spec)) return current;
    try {
      return await client.updateService(current.id, { version: current.version, spec });
    } catch (err) {
      if (!(err instanceof ShoalError) || err.code !== 'conflict' || attempt >= 3) throw err;
    }
  }
}
