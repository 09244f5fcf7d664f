import type { ShoalEvent } from '../api/events.js';
import type { ShoalClient } from '../client/shoal-client.js';
import { errorMessage } from './format.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface LiveEventsOptions {
  client: ShoalClient;
  onEvent: (event: ShoalEvent) => void;
  onState: (state: ConnectionState, detail: string) => void;
  /** Called once the stream is open; true when the page's data could be reloaded. */
  onConnected: () => Promise<boolean>;
  /** On the first connection, also replay this many revisions of history. */
  history?: number;
}

/**
 * Keeps the event stream open: on a drop it waits (0.5 s doubling to 5 s) and resumes from the
 * last revision it saw, so no event in between is lost. The stream is read with fetch through
 * the client (server-sent events parsed from the body), not EventSource, because EventSource
 * cannot send the `Authorization` header the session needs.
 */
export class LiveEvents {
  private readonly abort = new AbortController();
  private lastRevision: number | undefined;
  private live = false;

  constructor(private readonly opts: LiveEventsOptions) {}

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    while (!signal.aborted) {
      this.opts.onState(failures === 0 ? 'connecting' : 'reconnecting', 'connecting to the event stream');
      let reason: string;
      try {
        if (this.lastRevision === undefined) {
          const { revision } = await this.opts.client.info();
          this.lastRevision = Math.max(0, revision - (this.opts.history ?? 0));
        }
        const stream = this.opts.client.events({ since: this.lastRevision, signal });
        const first = stream.next();
        // The stream is open once the first read is pending without having failed.
        const openFailed = await Promise.race([first.then(() => false, () => true), delay(150, false)]);
        if (!openFailed && (await this.opts.onConnected())) this.markLive();
        if (!openFailed) failures = 0;
        await this.consume(first, stream);
        reason = 'the manager closed the event stream';
      } catch (err) {
        reason = errorMessage(err);
      }
      if (signal.aborted) return;
      this.live = false;
      failures++;
      const wait = Math.min(5000, 500 * 2 ** (failures - 1));
      this.opts.onState('reconnecting', `${reason}; retrying in ${(wait / 1000).toFixed(1)} s`);
      await delay(wait, false, signal);
    }
  }

  private async consume(first: Promise<IteratorResult<ShoalEvent>>, stream: AsyncGenerator<ShoalEvent>): Promise<void> {
    for (let next = await first; !next.done; next = await stream.next()) {
      this.lastRevision = Math.max(this.lastRevision ?? 0, next.value.revision);
      this.opts.onEvent(next.value);
      // Events flowing prove the connection even when the reload after connecting failed.
      if (!this.live) this.markLive();
    }
  }

  private markLive(): void {
    this.live = true;
    this.opts.onState('live', 'receiving events');
  }
}

function delay<T>(ms: number, value: T, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
