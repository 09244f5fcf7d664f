import { ShoalError } from '../../api/errors.js';
import type { ShoalClient } from '../../client/shoal-client.js';
import type { ServiceView } from '../../client/types.js';
import { Interrupted } from '../interrupted.js';
import type { CliIo } from '../io.js';
import { assessConvergence, isUpdateFinished, type Operation } from './convergence.js';
import { ProgressDisplay } from './display.js';
import { pendingLines, portLines, slotLines, summaryLine, taskErrorLine } from './render.js';

export interface WaitOptions {
  /** The service as the write returned it. */
  service: ServiceView;
  operation: Operation;
  pollMs?: number;
  /** How long tasks wait before their pending reason is printed. */
  pendingNoticeMs?: number;
}

/**
 * Polls the service and its tasks until they converge, showing progress. Throws a ShoalError
 * when the update or rollback pauses or rolls back, and Interrupted on Ctrl-C; in both cases
 * the service is left as it is.
 */
export async function waitForConvergence(client: ShoalClient, io: CliIo, opts: WaitOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 400;
  const pendingNoticeMs = opts.pendingNoticeMs ?? 2000;
  const id = opts.service.id;
  const baseline = isUpdateFinished(opts.service.updateStatus) ? opts.service.updateStatus : undefined;
  // A write that made no new spec version (a scale) does not make earlier failures news.
  const oldFailuresAreKnown = baseline !== undefined || opts.operation === 'scale';
  const display = new ProgressDisplay(io);
  const reported = new Set<string>();
  // The last error shown per slot: a task restarted into the same failure is not shown again.
  const lastError = new Map<string, string>();
  const started = io.now();
  let pendingSince: number | undefined;
  let first = true;

  for (;;) {
    if (io.interrupt.aborted) throw interrupted(opts.service.name);
    let service: ServiceView;
    let tasks;
    try {
      [service, tasks] = await Promise.all([client.getService(id), client.listTasks({ service: id })]);
    } catch (err) {
      if (io.interrupt.aborted) throw interrupted(opts.service.name);
      throw err;
    }
    const c = assessConvergence({
      service,
      tasks,
      operation: opts.operation,
      baseline,
      allowEmpty: io.now() - started > 3000,
      ports: service.ports,
    });

    for (const t of c.failedTasks) {
      if (reported.has(t.id)) continue;
      reported.add(t.id);
      const line = taskErrorLine(t);
      const slot = `${t.slot ?? t.nodeId ?? t.id}`;
      if (lastError.get(slot) === line) continue;
      lastError.set(slot, line);
      if (!(first && oldFailuresAreKnown)) display.log(line);
    }
    first = false;

    const summary = summaryLine(service, c);
    if (c.phase === 'converged') {
      display.finish(summary, `${service.name}: converged`);
      return;
    }
    if (c.phase === 'failed') {
      display.finish(summary);
      throw new ShoalError('failed_precondition', `${service.name}: ${c.message ?? 'did not converge'}`);
    }

    if (c.pending.count === 0) pendingSince = undefined;
    else pendingSince ??= io.now();
    const showPending = pendingSince !== undefined && io.now() - pendingSince >= pendingNoticeMs;
    display.show({
      summary,
      pending: [...(showPending ? pendingLines(c) : []), ...portLines(c)],
      slots: slotLines(service, tasks, c, io.now()),
    });
    await io.sleep(pollMs, io.interrupt);
  }
}

function interrupted(name: string): Interrupted {
  return new Interrupted(`stopped waiting; ${name} keeps converging (see: shoal service ps ${name})`);
}
