import type { Command } from 'commander';
import { ShoalError } from '../../api/errors.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { ServiceView } from '../../client/types.js';
import { connect, connectionOptionKeys, withConnectionOptions } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import { Interrupted } from '../interrupted.js';
import type { CliIo } from '../io.js';
import { parseDuration } from '../parse/duration.js';
import { parseNonNegativeInt, parsePositiveInt } from '../parse/number.js';
import { waitForConvergence } from '../progress/wait.js';
import { applyServiceFlags } from './apply-flags.js';
import type { ServiceFlagValues } from './flag-values.js';
import { addUpdateOptions } from './service-options.js';
import { rollingUpgrade } from './upgrade-rolling.js';

type UpgradeOptions = ServiceFlagValues & {
  detach?: boolean;
  host?: string;
  env?: string;
  confirm?: boolean;
  rollback?: boolean;
  scale?: string;
  batchSize?: string;
  interval?: string;
  cleanup?: boolean;
};

/** Options that are not spec changes. */
const ownKeys = new Set(['detach', ...connectionOptionKeys, 'confirm', 'rollback', 'scale', 'batchSize', 'interval', 'cleanup']);

export function registerServiceUpgrade(parent: Command, io: CliIo): void {
  const cmd = parent
    .command('upgrade')
    .description(
      'in-service upgrade (SERVICE + flags: old containers kept until --confirm or --rollback), ' +
        'or rolling upgrade to a new service (OLD NEW --scale N)',
    )
    .argument('<service>', 'the service to upgrade (OLD for a rolling upgrade)')
    .argument('[new]', 'rolling upgrade: the service that takes over')
    .option('--confirm', 'remove the containers an in-service upgrade kept')
    .option('--rollback', 'undo an in-service upgrade: remove its tasks and start the kept containers again')
    .option('--scale <n>', 'rolling upgrade: replicas NEW ends with')
    .option('--batch-size <n>', 'rolling upgrade: replicas moved per step', '1')
    .option('--interval <duration>', 'rolling upgrade: pause between steps', '2s')
    .option('--cleanup', 'rolling upgrade: remove OLD at the end');
  addUpdateOptions(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (ref: string, newRef: string | undefined, opts: UpgradeOptions, command: Command) => {
    const specFlags = Object.keys(opts).filter((k) => !ownKeys.has(k));
    if (newRef !== undefined) {
      if (opts.scale === undefined) throw new ShoalError('invalid_argument', '--scale: a rolling upgrade to a new service needs --scale N', '--scale');
      if (opts.confirm || opts.rollback || specFlags.length > 0) {
        throw new ShoalError('invalid_argument', 'a rolling upgrade (OLD NEW) takes only --scale, --batch-size, --interval and --cleanup');
      }
      const scale = parseFlag('--scale', opts.scale, parseNonNegativeInt);
      const batchSize = parseFlag('--batch-size', opts.batchSize ?? '1', parsePositiveInt);
      const intervalMs = parseFlag('--interval', opts.interval ?? '2s', parseDuration);
      const client = await connect(command, io);
      await rollingUpgrade(client, io, ref, newRef, { scale, batchSize, intervalMs, cleanup: opts.cleanup === true });
      return;
    }
    if (opts.scale !== undefined || opts.cleanup) throw new ShoalError('invalid_argument', '--scale and --cleanup need two services: OLD NEW');
    if (opts.confirm && opts.rollback) throw new ShoalError('invalid_argument', '--confirm and --rollback exclude each other');
    if ((opts.confirm || opts.rollback) && specFlags.length > 0) {
      throw new ShoalError('invalid_argument', `--${opts.confirm ? 'confirm' : 'rollback'} takes no spec flags`);
    }
    const client = await connect(command, io);
    if (opts.confirm) return confirm(client, io, ref, opts.detach === true);
    if (opts.rollback) return rollback(client, io, ref, opts.detach === true);
    if (specFlags.length === 0) throw new ShoalError('invalid_argument', 'nothing to upgrade: give at least one flag such as --image (see shoal service upgrade --help)');
    const current = await client.getService(ref);
    const spec = applyServiceFlags(current.spec, opts, { lookupEnv: (key) => io.env[key] });
    const service = await client.upgradeService(current.id, { version: current.version, spec });
    io.out(`${service.name}: upgrading to spec version ${service.specVersion}; the old containers are kept\n`);
    if (opts.detach) return;
    await waitForConvergence(client, io, { service, operation: 'update' });
    io.out(`${service.name}: upgraded. Confirm with "shoal service upgrade --confirm ${service.name}" or undo with "shoal service upgrade --rollback ${service.name}"\n`);
  });
}

async function confirm(client: ShoalClient, io: CliIo, ref: string, detach: boolean): Promise<void> {
  const service = await client.confirmServiceUpgrade(ref);
  const kept = service.upgrade?.keptTaskIds.length ?? 0;
  if (!detach) await upgradeSettled(client, io, service);
  io.out(`${service.name}: upgrade confirmed; ${kept} kept container${kept === 1 ? '' : 's'} removed\n`);
}

async function rollback(client: ShoalClient, io: CliIo, ref: string, detach: boolean): Promise<void> {
  const asked = await client.rollbackServiceUpgrade(ref);
  io.out(`${asked.name}: rolling back the in-service upgrade; the kept containers start again\n`);
  if (detach) return;
  const service = await upgradeSettled(client, io, asked);
  await waitForConvergence(client, io, { service, operation: 'rollback' });
}

/** Waits until the orchestrator has carried out the confirm or rollback (the service's `upgrade` is gone). */
async function upgradeSettled(client: ShoalClient, io: CliIo, service: ServiceView): Promise<ServiceView> {
  for (;;) {
    const now = await client.getService(service.id);
    if (!now.upgrade) return now;
    if (io.interrupt.aborted) throw new Interrupted(`stopped waiting; the upgrade of ${service.name} goes on`);
    await io.sleep(200, io.interrupt);
  }
}
