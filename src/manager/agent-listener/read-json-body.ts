import type { IncomingMessage } from 'node:http';
import { formatBytes } from '../../api/byte-size.js';
import { ShoalError, invalidArgument } from '../../api/errors.js';

/** Reads a small JSON body; anything else is a 4xx naming `body`, never a crash. */
export async function readJsonBody(req: IncomingMessage, limitBytes = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new ShoalError('payload_too_large', `request body is larger than the ${formatBytes(limitBytes)} limit`, 'body');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw invalidArgument('body', 'a JSON body is required');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument('body', 'not valid JSON');
  }
}
