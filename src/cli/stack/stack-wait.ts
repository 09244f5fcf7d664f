import { ShoalError } from '../../api/errors.js';
import type { TaskObject } from '../../api/objects.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { StackDeployResult } from '../../client/stack-types.js';
import type { ServiceView } from '../../client/types.js';
import { Interrupted } from '../interrupted.js';
import type { CliIo } from '../io.js';
import { isUpdateFinished, type Operation } from '../progress/convergence.js';
import { ProgressDisplay } from '../progress/display.js';
import { assessStackService, type StackServiceState } from './stack-convergence.js';

/** The stack's services and tasks as they were before the deploy, to tell old outcomes from new. */
export interface StackSnapshot {
  services: ServiceView[];
  tasks: TaskObject[];
}

/** Before a deploy or rollback: what the stack had (nothing for a new stack). */
export async function stackSnapshot(client: ShoalClient, name: string): Promise<StackSnapshot> {
  try {
    const [services, tasks] = await Promise.all([client.listStackServices(name), client.listStackTasks(name)]);
    return { services, tasks };
  } catch (err) {
    if (err instanceof ShoalError && err.code === 'not_found') return { services: [], tasks: [] };
    throw err;
  }
}

export interface StackWaitOptions {
  result: StackDeployResult;
  before: StackSnapshot;
  rollback?: boolean;
  pollMs?: number;
}

/**
 * Polls the stack's services and tasks until every service is converged (or, for one-shot
 * services, completed), showing one line per service. Throws naming the first service that
 * failed; Ctrl-C stops waiting and leaves the stack converging.
 */
export async function waitForStack(client: ShoalClient, io: CliIo, opts: StackWaitOptions): Promise<void> {
  const name = opts.result.stack;
  const pollMs = opts.pollMs ?? 500;
  const shortOf = new Map(Object.entries(opts.result.services).map(([short, full]) => [full, short]));
  const changed = new Set([...opts.result.created, ...opts.result.updated]);
  const created = new Set(opts.result.created);
  const beforeById = new Map(opts.before.services.map((s) => [s.id, s]));
  const knownFailures = new Set(opts.before.tasks.filter((t) => t.status.state === 'failed' || t.status.state === 'rejected').map((t) => t.id));
  const display = new ProgressDisplay(io);
  const printed = new Map<string, string>();
  const started = io.now();

  for (;;) {
    if (io.interrupt.aborted) throw interrupted(name);
    let services: ServiceView[];
    let tasks: TaskObject[];
    try {
      [services, tasks] = await Promise.all([client.listStackServices(name), client.listStackTasks(name)]);
    } catch (err) {
      if (io.interrupt.aborted) throw interrupted(name);
      throw err;
    }
    const states = services.map((service): [ServiceView, StackServiceState] => {
      const short = shortOf.get(service.name) ?? service.name;
      const operation: Operation = !changed.has(short) ? 'scale' : created.has(short) ? 'create' : opts.rollback ? 'rollback' : 'update';
      const previous = beforeById.get(service.id)?.updateStatus;
      return [
        service,
        assessStackService({
          service,
          tasks: tasks.filter((t) => t.serviceId === service.id),
          operation,
          baseline: isUpdateFinished(previous) ? previous : undefined,
          knownFailures,
          allowEmpty: io.now() - started > 3000,
          ports: service.ports,
        }),
      ];
    });
    const done = states.filter(([, s]) => s.phase === 'converged' || s.phase === 'completed').length;
    const summary = `stack ${name}: ${done}/${states.length} services ${opts.rollback ? 'rolled back' : 'converged'}`;
    const failed = states.find(([, s]) => s.phase === 'failed');
    if (failed) {
      display.finish(failed[1].line);
      throw new ShoalError('failed_precondition', `stack ${name}: service ${failed[0].name} failed: ${failed[1].message ?? 'did not converge'}`);
    }
    if (done === states.length) {
      if (io.isTTY) display.finish(summary);
      for (const [service, s] of states) io.out(`${service.name}: ${s.phase}\n`);
      io.out(`stack ${name}: ${opts.rollback ? 'rolled back' : 'converged'}\n`);
      return;
    }
    if (io.isTTY) {
      display.show({ summary, pending: [], slots: states.map(([, s]) => `  ${s.line}`) });
    } else {
      // A pipe or a file gets a service's line only when it changed.
      for (const [service, s] of states) {
        if (printed.get(service.id) === s.line) continue;
        printed.set(service.id, s.line);
        io.out(`${s.line}\n`);
      }
    }
    await io.sleep(pollMs, io.interrupt);
  }
}

function interrupted(name: string): Interrupted {
  return new Interrupted(`stopped waiting; stack ${name} keeps converging (see: shoal stack ps ${name})`);
}
