import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Long-lived responses written straight to the socket. Each ends its producer when the client
 * goes away, so a closed `shoal events` or `logs -f` leaves nothing running on the manager.
 */
export function streamServerSentEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  start: (send: (id: string, event: string, data: unknown) => void) => () => void,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write(': shoal event stream\n\n');
  const stop = start((id, event, data) => {
    res.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  // A comment line every 15 s keeps proxies and idle timeouts from closing a quiet stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
  request.raw.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
}

export function streamNdjson(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (emit: (line: unknown) => void, signal: AbortSignal) => Promise<void>,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
  const abort = new AbortController();
  request.raw.on('close', () => abort.abort());
  run((line) => res.write(`${JSON.stringify(line)}\n`), abort.signal)
    .catch((err: unknown) => {
      res.write(`${JSON.stringify({ error: { code: 'unavailable', message: err instanceof Error ? err.message : String(err) } })}\n`);
    })
    .finally(() => res.end());
}
