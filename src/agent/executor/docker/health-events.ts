import { setTimeout as sleep } from 'node:timers/promises';
import type Dockerode from 'dockerode';
import { Backoff } from '../../../lib/backoff.js';
import type { ContainerHealth, HealthListener, ObservedContainer } from '../../exec/executor.js';

/** One line of the engine's /events stream, as far as health is concerned. */
interface EngineEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string };
}

const healthStates: ReadonlySet<string> = new Set<ContainerHealth>(['starting', 'healthy', 'unhealthy']);

/** "health_status: healthy" → 'healthy'; anything else → undefined. */
export function healthFromEvent(event: EngineEvent): { containerId: string; health: ContainerHealth } | undefined {
  if (event.Type !== undefined && event.Type !== 'container') return undefined;
  const m = /^health_status:\s*(\w+)$/.exec(event.Action ?? '');
  const containerId = event.Actor?.ID ?? event.id;
  const health = m?.[1];
  if (!containerId || !health || !healthStates.has(health)) return undefined;
  return { containerId, health: health as ContainerHealth };
}

export interface HealthWatchDeps {
  docker: Dockerode;
  /** `label` filters (`key=value` or `key`) that select this executor's containers. */
  labels: string[];
  /** Every container of this executor, with its current health, for the resync on (re)connect. */
  list(): Promise<ObservedContainer[]>;
  /** Where connection failures go (never container data). */
  onError(err: unknown): void;
}

/**
 * Follows the engine's `health_status` events (one long-lived request, no polling) and calls
 * the listener on each change; reconnects with backoff. The engine emits an event only on a
 * change, so after every (re)connect the current health of each container is read once and
 * reported too: a change made while the stream was down is not lost.
 */
export function watchHealthEvents(deps: HealthWatchDeps, listener: HealthListener, signal: AbortSignal): void {
  const backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
  // Ends early (without throwing) when the watch is stopped.
  const pause = (ms: number): Promise<void> => sleep(ms, undefined, { signal }).catch(() => undefined);

  const follow = async (): Promise<void> => {
    const filters = { type: ['container' as const], event: ['health_status'], label: deps.labels };
    // dockerode passes abortSignal through to the request; its typings do not list it.
    const options = { filters, abortSignal: signal } as Dockerode.GetEventsOptions;
    const stream = await deps.docker.getEvents(options);
    // Subscribed first, then resynchronised: a change between the two is seen at least once.
    for (const c of await deps.list()) if (c.health) listener(c.containerId, c.health);
    backoff.reset();
    let pending = '';
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        let event: EngineEvent;
        try {
          event = JSON.parse(line) as EngineEvent;
        } catch {
          continue;
        }
        const change = healthFromEvent(event);
        if (change) listener(change.containerId, change.health);
      }
    }
  };

  void (async () => {
    while (!signal.aborted) {
      try {
        await follow();
      } catch (err) {
        if (signal.aborted) return;
        deps.onError(err);
      }
      if (!signal.aborted) await pause(backoff.next());
    }
  })();
}
