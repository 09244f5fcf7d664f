import { ShoalError } from '../../api/errors.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { ServiceView } from '../../client/types.js';
import type { CliIo } from '../io.js';
import { waitForConvergence } from '../progress/wait.js';
import { rollingSteps } from './upgrade-plan.js';

export interface RollingOptions {
  scale: number;
  batchSize: number;
  intervalMs: number;
  cleanup: boolean;
}

/**
 * Rancher's rolling upgrade to a new service, driven through the scale API: NEW up by a batch,
 * wait until its replicas run, OLD down by a batch, pause, repeat; `cleanup` removes OLD at the
 * end. A step that does not converge stops the upgrade, naming the service, and leaves both
 * services as they are.
 */
export async function rollingUpgrade(client: ShoalClient, io: CliIo, oldRef: string, newRef: string, opts: RollingOptions): Promise<void> {
  const [oldService, newService] = await Promise.all([client.getService(oldRef), client.getService(newRef)]);
  if (oldService.id === newService.id) throw new ShoalError('invalid_argument', 'NEW: the new service must not be the old one', 'NEW');
  for (const s of [oldService, newService]) {
    if (s.spec.mode !== 'replicated') throw new ShoalError('failed_precondition', `service "${s.name}" is ${s.spec.mode}; a rolling upgrade scales replicated services`);
  }
  const steps = rollingSteps(oldService.spec.replicas, newService.spec.replicas, opts.scale, opts.batchSize);
  const byWhich = { old: oldService, new: newService };
  for (const [i, step] of steps.entries()) {
    const target = byWhich[step.which];
    const service = await client.scaleService(target.id, step.replicas);
    io.out(`${target.name} scaled to ${step.replicas}\n`);
    try {
      await waitForConvergence(client, io, { service, operation: 'scale' });
    } catch (err) {
      if (!(err instanceof ShoalError)) throw err;
      throw new ShoalError(err.code, `rolling upgrade stopped: service "${target.name}" did not reach ${step.replicas} running: ${err.message}`);
    }
    // The pause follows each round (a scale of OLD), giving NEW time to prove itself.
    if (step.which === 'old' && i < steps.length - 1 && opts.intervalMs > 0) await io.sleep(opts.intervalMs, io.interrupt);
  }
  if (opts.cleanup) {
    await client.removeService(oldService.id);
    io.out(`${oldService.name} removed\n`);
  }
  const final: ServiceView = await client.getService(newService.id);
  io.out(`${final.name}: ${final.replicas.running}/${final.replicas.desired} running\n`);
}
