import type { AgentMessage, LogLine } from '../../api/agent-protocol.js';
import type { Logger } from '../../lib/logger.js';
import type { Executor } from '../exec/executor.js';

export interface LogRequest {
  requestId: string;
  taskId: string;
  follow: boolean;
  tail?: number;
}

/** Lines go out together when they come in a burst, but never wait longer than this. */
const flushMs = 30;
const maxLinesPerChunk = 500;
/** The manager refuses longer lines; the engine already splits lines at 16 KiB. */
const maxLineChars = 65536;

/** Serves the manager's log requests from the executor, one abortable stream per request. */
export class LogStreams {
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly executor: Executor,
    private readonly containerOf: (taskId: string) => string | undefined,
    private readonly send: (msg: AgentMessage) => boolean,
    private readonly logger: Logger,
  ) {}

  start(req: LogRequest): void {
    this.active.get(req.requestId)?.abort();
    const ac = new AbortController();
    this.active.set(req.requestId, ac);
    void this.stream(req, ac.signal).finally(() => {
      if (this.active.get(req.requestId) === ac) this.active.delete(req.requestId);
    });
  }

  cancel(requestId: string): void {
    this.active.get(requestId)?.abort();
    this.active.delete(requestId);
  }

  /** The session is gone: nobody reads these streams any more. */
  cancelAll(): void {
    for (const ac of this.active.values()) ac.abort();
    this.active.clear();
  }

  private async stream(req: LogRequest, signal: AbortSignal): Promise<void> {
    const { requestId } = req;
    const containerId = this.containerOf(req.taskId);
    if (!containerId) {
      this.send({ type: 'logs.end', requestId, error: `task ${req.taskId} has no container on this node` });
      return;
    }
    let batch: LogLine[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0 || signal.aborted) return;
      this.send({ type: 'logs.chunk', requestId, lines: batch });
      batch = [];
    };
    let error: string | undefined;
    try {
      const options = { follow: req.follow, signal, ...(req.tail !== undefined ? { tail: req.tail } : {}) };
      for await (const line of this.executor.logs(containerId, options)) {
        if (signal.aborted) break;
        batch.push(line.text.length > maxLineChars ? { ...line, text: line.text.slice(0, maxLineChars) } : line);
        if (batch.length >= maxLinesPerChunk) flush();
        else timer ??= setTimeout(flush, flushMs);
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.logger.debug({ err, requestId }, 'log stream failed');
    }
    flush();
    if (signal.aborted) return;
    this.send(error === undefined ? { type: 'logs.end', requestId } : { type: 'logs.end', requestId, error });
  }
}
