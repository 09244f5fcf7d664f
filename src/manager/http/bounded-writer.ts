import type { ServerResponse } from 'node:http';

/** Counters shared by every stream of one manager, read by tests and benchmarks. */
export interface StreamStats {
  /** Streams closed because their reader fell more than the bound behind. */
  dropped: number;
  /** The most bytes one stream ever held unsent (its queue plus the response's own buffer). */
  peakBufferedBytes: number;
}

export interface StreamLimits {
  /** Unsent bytes one stream may hold before its reader is dropped (default 4 MiB). */
  maxBufferedBytes: number;
  /** How long a dropped stream's socket may take to send its last bytes before it is destroyed (default 10 s). */
  dropGraceMs?: number;
  stats: StreamStats;
}

export const defaultStreamLimits = (): StreamLimits => ({ maxBufferedBytes: 4 * 1024 * 1024, stats: { dropped: 0, peakBufferedBytes: 0 } });

const sizeText = (bytes: number): string => (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`);

/**
 * A long-lived response that respects backpressure. `res.write()` never refuses data: ignoring
 * its return value lets a client that does not read make the manager buffer without limit. Here
 * a chunk goes to the socket only while the response does not need draining; otherwise it waits
 * in a queue, and once queue and response buffer together would pass the bound, the stream is
 * dropped: the queue is discarded, a last notice naming the reason is written, the response ends,
 * and the socket is destroyed if the reader has not taken that notice within the grace period.
 * Producers that can wait (a replay) await `drained()` instead of filling the queue.
 */
export class BoundedWriter {
  private readonly queue: { chunk: string; bytes: number }[] = [];
  private queuedBytes = 0;
  private state: 'open' | 'dropped' | 'ended' = 'open';
  private waiters: (() => void)[] = [];
  private readonly noticeBytes: number;
  private readonly reason: string;

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: StreamLimits,
    /** The last chunk a dropped stream gets, naming why. */
    private readonly notice: (reason: string) => string,
    private readonly onDrop: (reason: string) => void,
  ) {
    this.reason = `client too slow: more than ${sizeText(limits.maxBufferedBytes)} unread`;
    this.noticeBytes = Buffer.byteLength(notice(this.reason));
    res.on('drain', () => this.flush());
    res.on('close', () => this.finish('ended'));
  }

  /** Whether chunks are still accepted (not dropped, ended or closed by the client). */
  get open(): boolean {
    return this.state === 'open';
  }

  /** Bytes written but not yet handed to the kernel. */
  get buffered(): number {
    return this.queuedBytes + this.res.writableLength;
  }

  /** Whether the reader is behind: a producer that can wait should await `drained()`. */
  get pressured(): boolean {
    return this.queue.length > 0 || this.res.writableNeedDrain;
  }

  /** Sends or queues a chunk; false once the stream is closed or dropped (the producer should stop). */
  write(chunk: string): boolean {
    if (this.state !== 'open') return false;
    const bytes = Buffer.byteLength(chunk);
    // The notice must fit under the bound too, so the bound holds to the last byte.
    if (this.buffered + bytes + this.noticeBytes > this.limits.maxBufferedBytes) {
      this.drop();
      return false;
    }
    if (this.pressured) {
      this.queue.push({ chunk, bytes });
      this.queuedBytes += bytes;
    } else {
      this.res.write(chunk);
    }
    this.limits.stats.peakBufferedBytes = Math.max(this.limits.stats.peakBufferedBytes, this.buffered);
    return true;
  }

  /** Resolves when the reader has caught up, or the stream is over. */
  drained(): Promise<void> {
    if (this.state !== 'open' || !this.pressured) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the response after what is queued. */
  end(last?: string): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    for (const { chunk } of this.queue.splice(0)) this.res.write(chunk);
    this.queuedBytes = 0;
    this.res.end(last);
    this.wake();
  }

  private drop(): void {
    this.limits.stats.dropped += 1;
    this.queue.splice(0);
    this.queuedBytes = 0;
    this.res.end(this.notice(this.reason));
    this.finish('dropped');
    // A reader that reads nothing never takes the notice either: free what the socket holds.
    const destroy = setTimeout(() => this.res.destroy(), this.limits.dropGraceMs ?? 10_000);
    destroy.unref();
    this.res.once('close', () => clearTimeout(destroy));
    this.onDrop(this.reason);
  }

  private finish(state: 'ended' | 'dropped'): void {
    if (this.state !== 'open') return;
    this.state = state;
    this.queue.splice(0);
    this.queuedBytes = 0;
    this.wake();
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.res.writableNeedDrain) {
      const next = this.queue.shift();
      if (!next) break;
      this.queuedBytes -= next.bytes;
      this.res.write(next.chunk);
    }
    if (!this.pressured) this.wake();
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
