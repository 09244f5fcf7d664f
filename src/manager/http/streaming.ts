import type { FastifyReply, FastifyRequest } from 'fastify';
import { BoundedWriter, type StreamLimits } from './bounded-writer.js';

/** Where a producer writes server-sent events. */
export interface SseSink {
  /** False once the stream is over (client gone, or dropped for reading too slowly): stop producing. */
  send(id: string, event: string, data: unknown): boolean;
  /** Whether the reader is behind; a producer that can wait awaits `drained()`. */
  readonly pressured: boolean;
  drained(): Promise<void>;
  /** Aborted when the stream is over, for whatever reason. */
  readonly signal: AbortSignal;
}

const sseFrame = (id: string | undefined, event: string, data: unknown): string => `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Long-lived responses written straight to the socket, each through a `BoundedWriter`: a client
 * that reads too slowly is dropped with a reason rather than buffered for without limit. Each
 * ends its producer when the client goes away or is dropped, so a closed `shoal events` or
 * `logs -f` leaves nothing running on the manager.
 */
export function streamServerSentEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  limits: StreamLimits,
  start: (sink: SseSink) => Promise<void>,
): void {
  reply.hijack();
  const res = reply.raw;
  const abort = new AbortController();
  const writer = new BoundedWriter(res, limits, (reason) => sseFrame(undefined, 'dropped', { reason }), (reason) => {
    request.log.warn({ url: request.url.split('?')[0], reason }, 'event stream dropped');
    abort.abort();
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  writer.write(': shoal event stream\n\n');
  // A comment line every 15 s keeps proxies and idle timeouts from closing a quiet stream.
  const keepAlive = setInterval(() => writer.write(': keep-alive\n\n'), 15000);
  abort.signal.addEventListener('abort', () => clearInterval(keepAlive), { once: true });
  request.raw.on('close', () => abort.abort());
  const sink: SseSink = {
    send: (id, event, data) => writer.write(sseFrame(id, event, data)),
    get pressured() {
      return writer.pressured;
    },
    drained: () => writer.drained(),
    signal: abort.signal,
  };
  void start(sink).catch((err: unknown) => {
    writer.end(sseFrame(undefined, 'error', { code: 'unavailable', message: err instanceof Error ? err.message : String(err) }));
    abort.abort();
  });
}

export function streamNdjson(
  request: FastifyRequest,
  reply: FastifyReply,
  limits: StreamLimits,
  run: (emit: (line: unknown) => void, signal: AbortSignal) => Promise<void>,
): void {
  reply.hijack();
  const res = reply.raw;
  const abort = new AbortController();
  const errorLine = (code: string, message: string): string => `${JSON.stringify({ error: { code, message } })}\n`;
  const writer = new BoundedWriter(res, limits, (reason) => errorLine('resource_exhausted', reason), (reason) => {
    request.log.warn({ url: request.url.split('?')[0], reason }, 'log stream dropped');
    abort.abort();
  });
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
  request.raw.on('close', () => abort.abort());
  void run((line) => writer.write(`${JSON.stringify(line)}\n`), abort.signal)
    .then(
      () => writer.end(),
      (err: unknown) => writer.end(errorLine('unavailable', err instanceof Error ? err.message : String(err))),
    )
    .finally(() => abort.abort());
}
