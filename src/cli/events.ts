import type { Command } from 'commander';
import { ShoalError } from '../api/errors.js';
import type { ShoalEvent } from '../api/events.js';
import { connect, withConnectionOptions } from './connection.js';
import { parseFlag } from './flag-error.js';
import type { CliIo } from './io.js';
import { outputFormat, withFormatOption } from './output/format-option.js';
import { parseNonNegativeInt } from './parse/number.js';

/** `2024-05-01T10:00:00.000Z  task.state  web.2 (from=starting, to=running, actor=...)` */
export function formatEvent(e: ShoalEvent): string {
  const attrs = Object.entries(e.attributes)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`);
  attrs.push(`id=${e.objectId}`);
  if (e.actor) attrs.push(`actor=${e.actor}`);
  return `${e.time}  ${e.action}  ${e.name ?? e.objectId} (${attrs.join(', ')})`;
}

export function registerEvents(program: Command, io: CliIo): void {
  const cmd = program
    .command('events')
    .description('print changes as they happen, until Ctrl-C')
    .option('--since <revision>', 'start at this revision (replays what happened since)')
    .option('--kind <kind>', 'only events about service, task or node');
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: { since?: string; kind?: string; format?: string }, command: Command) => {
    const format = outputFormat(opts.format);
    const since = opts.since === undefined ? undefined : parseFlag('--since', opts.since, parseNonNegativeInt);
    const client = await connect(command, io);
    const stream = client.events({
      ...(since !== undefined ? { since } : {}),
      ...(opts.kind ? { kind: opts.kind } : {}),
      signal: io.interrupt,
    });
    for await (const event of stream) {
      io.out(`${format === 'json' ? JSON.stringify(event) : formatEvent(event)}\n`);
    }
    // Ctrl-C ends the stream on purpose; anything else ending it is the manager going away.
    if (!io.interrupt.aborted) throw new ShoalError('unavailable', `the manager at ${client.baseUrl} closed the event stream`);
  });
}
