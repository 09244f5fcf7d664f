import type { Command } from 'commander';
import { ShoalError } from '../api/errors.js';
import type { ShoalEvent } from '../api/events.js';
import { connect, withConnectionOptions } from './connection.js';
import { flagError, parseFlag } from './flag-error.js';
import { printAudit, withAuditFilters, type AuditFilterFlags } from './audit/list.js';
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

/**
 * `--since 42` (a bare number) is a store revision for the live stream, as before the audit
 * history existed; a time or a duration (or any history filter) lists the history instead.
 */
export function wantsHistory(opts: AuditFilterFlags): boolean {
  const sinceIsRevision = opts.since === undefined || /^\s*\d+\s*$/.test(opts.since);
  return !sinceIsRevision || [opts.until, opts.actor, opts.object, opts.action, opts.limit, opts.cluster].some((v) => v !== undefined);
}

export function registerEvents(program: Command, io: CliIo): void {
  const cmd = program
    .command('events')
    .description('print changes as they happen, until Ctrl-C; with --since TIME, --until, --actor or --object, list the audit history instead')
    .option('--since <time|revision>', 'a time (ISO) or duration back (30m, 2h, 7d): list the history from then; a revision number: stream from it')
    .option('--kind <kind>', 'live stream: only events about service, task or node');
  withAuditFilters(cmd);
  withFormatOption(cmd);
  withConnectionOptions(cmd);
  cmd.action(async (opts: AuditFilterFlags & { kind?: string }, command: Command) => {
    if (wantsHistory(opts)) {
      if (opts.since !== undefined && /^\s*\d+\s*$/.test(opts.since)) {
        throw flagError('--since', opts.since, 'a revision number is for the live stream; give a time or a duration (30m, 2h, 7d) to list the history');
      }
      if (opts.kind !== undefined) throw flagError('--kind', opts.kind, 'filters the live stream only; use --object or --action with the history');
      return printAudit(opts, command, io);
    }
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
