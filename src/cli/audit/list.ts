import type { Command } from 'commander';
import type { AuditEntry } from '../../api/audit.js';
import type { AuditQuery } from '../../client/types.js';
import { connect } from '../connection.js';
import { parseFlag } from '../flag-error.js';
import type { CliIo } from '../io.js';
import { outputFormat, printJson, type OutputFormat } from '../output/format-option.js';
import { formatTable, truncate } from '../output/table.js';
import { parsePositiveInt } from '../parse/number.js';
import { parseTimeBound } from '../parse/time-bound.js';

export interface AuditFilterFlags {
  since?: string;
  until?: string;
  actor?: string;
  object?: string;
  action?: string;
  limit?: string;
  cluster?: boolean;
  format?: string;
}

/** The history filters `audit ls` and `events` share; --since is added by each (its help differs). */
export function withAuditFilters(cmd: Command): Command {
  return cmd
    .option('--until <time>', 'history up to this time (ISO) or this long ago (30m, 2h, 7d)')
    .option('--actor <actor>', 'only changes by this actor (account:NAME, apikey:ACCESSKEY, or a component)')
    .option('--object <ref>', 'only changes of this object: KIND/NAME (service/web), or an id or name')
    .option('--action <action>', 'only these actions, comma-separated (create, update, delete, scale, login-failed, ...)')
    .option('--limit <n>', 'at most this many entries, the newest (default: the manager\'s, 1000)')
    .option('--cluster', 'the whole cluster\'s history: every environment, and accounts, environments and logins (administrators)');
}

export function auditQuery(flags: AuditFilterFlags, now: number): AuditQuery {
  return {
    ...(flags.since !== undefined ? { since: parseFlag('--since', flags.since, (t) => parseTimeBound(t, now)) } : {}),
    ...(flags.until !== undefined ? { until: parseFlag('--until', flags.until, (t) => parseTimeBound(t, now)) } : {}),
    ...(flags.actor !== undefined ? { actor: flags.actor } : {}),
    ...(flags.object !== undefined ? { object: flags.object } : {}),
    ...(flags.action !== undefined ? { action: flags.action } : {}),
    ...(flags.limit !== undefined ? { limit: parseFlag('--limit', flags.limit, parsePositiveInt) } : {}),
  };
}

/** `service web`, `account alice`, `task web.2`: what the entry is about, readably. */
export function auditObject(e: AuditEntry): string {
  const label = e.object.name ?? e.object.id ?? '';
  const env = e.env ? `${e.env}/` : '';
  return `${e.object.kind} ${env}${label}`.trim();
}

const detailText = (e: AuditEntry): string =>
  Object.entries(e.details ?? {})
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

export function auditRows(entries: readonly AuditEntry[]): string[][] {
  return entries.map((e) => [e.time, e.actor, e.source ?? '-', e.action, auditObject(e), truncate(detailText(e), 60)]);
}

/** Lists the history matching the flags: a table, or the entries as JSON (before/after included). */
export async function printAudit(flags: AuditFilterFlags, command: Command, io: CliIo, defaultFormat: OutputFormat = 'table'): Promise<void> {
  const format = outputFormat(flags.format, defaultFormat);
  const query = auditQuery(flags, io.now());
  const client = await connect(command, io);
  const { entries, more } = flags.cluster ? await client.listClusterAudit(query) : await client.listAudit(query);
  if (format === 'json') return printJson(io, entries);
  io.out(formatTable(['TIME', 'ACTOR', 'SOURCE', 'ACTION', 'OBJECT', 'DETAILS'], auditRows(entries)));
  if (more) io.err('shoal: older entries matched too; narrow with --since or raise --limit\n');
}
