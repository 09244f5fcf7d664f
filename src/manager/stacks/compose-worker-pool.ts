import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ShoalError } from '../../api/errors.js';
import { ComposeError } from '../../compose/index.js';
import type { Logger } from '../../lib/logger.js';
import { workerReady, type ComposeJob, type ComposeReply } from './compose-worker-protocol.js';

export interface ComposeWorkerPoolOptions {
  /** Threads rendering at once (default: the cores but one, at most 2, at least 1: renders never take the API's core). */
  size?: number;
  /** Time limit of one job, after which its thread is terminated (default 10 s). */
  timeoutMs?: number;
  /** Heap limit of one thread in MiB (default 256). */
  heapMb?: number;
  /** Jobs waiting for a thread; more are refused with 429 (default 32). */
  maxQueued?: number;
  logger?: Logger;
  /** The thread's module (tests give one of their own); default compose-worker. */
  entry?: URL;
}

type Job = Omit<ComposeJob, 'id'>;
interface Waiting {
  job: ComposeJob;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

const startupMs = 60_000;

/** Under tsx (tests, `node --import tsx`) the source is TypeScript, which a new thread loads only through tsx's hooks. */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * Renders compose files on worker threads, so rendering never blocks the manager's event loop
 * (its API, heartbeats and loops): a job that runs past the time limit or the heap limit has its
 * thread terminated and is refused with 400 naming the limit. Threads are kept for the next
 * job and never keep the process alive.
 */
export class ComposeWorkerPool {
  private readonly size: number;
  private readonly timeoutMs: number;
  private readonly heapMb: number;
  private readonly maxQueued: number;
  private readonly logger: Logger | undefined;
  private readonly entry: URL;
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  /** Threads that said they loaded the renderer: a job's time limit starts then, not while a thread starts. */
  private readonly ready = new WeakSet<Worker>();
  private readonly queue: Waiting[] = [];
  private busy = 0;
  private nextId = 1;
  private closed = false;

  constructor(options: ComposeWorkerPoolOptions = {}) {
    this.size = options.size ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.heapMb = options.heapMb ?? 256;
    this.maxQueued = options.maxQueued ?? 32;
    this.logger = options.logger;
    this.entry = options.entry ?? new URL(`./compose-worker${fromSource ? '.ts' : '.js'}`, import.meta.url);
  }

  /** Runs one job; resolves with its value or rejects with the renderer's refusal (a ShoalError). */
  run<T>(job: Job): Promise<T> {
    if (this.closed) return Promise.reject(new ShoalError('unavailable', 'the manager is stopping'));
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = { job: { ...job, id: this.nextId++ } as ComposeJob, resolve: resolve as (v: unknown) => void, reject };
      const worker = this.idle.pop() ?? (this.busy + this.idle.length < this.size ? this.spawn() : undefined);
      if (worker) this.execute(worker, waiting);
      else if (this.queue.length >= this.maxQueued) reject(new ShoalError('resource_exhausted', `${this.queue.length} stack renders are already waiting: retry later`));
      else this.queue.push(waiting);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(new ShoalError('unavailable', 'the manager is stopping'));
    await Promise.all([...this.all].map((w) => w.terminate()));
    this.all.clear();
    this.idle.length = 0;
  }

  private spawn(): Worker {
    const resourceLimits: ResourceLimits = { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: Math.min(32, this.heapMb) };
    const worker = fromSource
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(this.entry.href)}); });`, {
          eval: true,
          resourceLimits,
        })
      : new Worker(this.entry, { resourceLimits });
    worker.unref();
    this.all.add(worker);
    return worker;
  }

  private execute(worker: Worker, waiting: Waiting): void {
    this.busy++;
    const { job } = waiting;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (keep: boolean): void => {
      done = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      this.busy--;
      if (!keep) {
        this.all.delete(worker);
        void worker.terminate();
      }
      this.next(keep ? worker : undefined);
    };
    const onMessage = (reply: ComposeReply | typeof workerReady): void => {
      if (done) return;
      if (reply === workerReady) {
        this.ready.add(worker);
        start();
        return;
      }
      if (reply.id !== job.id) return;
      finish(true);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(this.refusal(reply.error));
    };
    const onError = (err: Error & { code?: string }): void => {
      if (done) return;
      finish(false);
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        waiting.reject(new ShoalError('invalid_argument', `files: rendering the compose files needed more than the ${this.heapMb} MiB memory limit of the renderer`, 'files'));
      } else {
        this.logger?.error({ err }, 'compose renderer thread failed');
        waiting.reject(new ShoalError('internal', 'internal error'));
      }
    };
    const onExit = (code: number): void => {
      if (done) return;
      finish(false);
      this.logger?.error({ code }, 'compose renderer thread exited');
      waiting.reject(new ShoalError('internal', 'internal error'));
    };
    const start = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (done) return;
        finish(false);
        waiting.reject(new ShoalError('invalid_argument', `files: rendering the compose files took longer than the ${this.timeoutMs / 1000} s limit; check their aliases and variables`, 'files'));
      }, this.timeoutMs);
      worker.postMessage(job);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    if (this.ready.has(worker)) start();
    else {
      // Loading the renderer (compiling it, under tsx) is not the file's cost; a thread that
      // does not start at all is the manager's problem.
      timer = setTimeout(() => {
        if (done) return;
        finish(false);
        this.logger?.error('compose renderer thread did not start within 60 s');
        waiting.reject(new ShoalError('unavailable', 'the compose renderer did not start: retry later'));
      }, startupMs);
    }
  }

  /** Gives a freed thread (or a new one, when the last was terminated) the next waiting job. */
  private next(worker: Worker | undefined): void {
    if (this.closed) return;
    const waiting = this.queue.shift();
    if (!waiting) {
      if (worker) this.idle.push(worker);
      return;
    }
    this.execute(worker ?? this.spawn(), waiting);
  }

  private refusal(error: Extract<ComposeReply, { ok: false }>['error']): Error {
    if (error.problems) return new ComposeError(error.problems);
    if (error.code === 'internal') {
      this.logger?.error({ stack: error.message }, 'compose renderer failed');
      return new ShoalError('internal', 'internal error');
    }
    return new ShoalError(error.code, error.message, error.field);
  }
}
