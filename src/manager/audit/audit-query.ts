import { z } from 'zod';
import { auditActions, type AuditAction, type AuditEntry } from '../../api/audit.js';
import { invalidArgument } from '../../api/errors.js';
import { parseQuery, queryParam, type QueryOf } from '../../api/query-params.js';

/** Which entries a reader wants; every field narrows the answer. */
export interface AuditFilter {
  /** ms since the epoch, inclusive. */
  since?: number;
  /** ms since the epoch, inclusive. */
  until?: number;
  actor?: string;
  /** `kind/ref`, or a bare `ref` that matches a kind, an id or a name. */
  object?: { kind?: string; ref: string };
  actions?: AuditAction[];
  /** The newest this many (default 1000). */
  limit: number;
}

export const defaultAuditLimit = 1000;
export const maxAuditLimit = 10_000;

/** The query parameters of `GET /v1/audit` and `/v1/audit/cluster`. */
export const auditQueryShape = {
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  actor: z.string().min(1).max(300).optional(),
  object: z
    .string()
    .max(300)
    .regex(/^([a-z][a-z-]*\/)?[^/\s]+$/, 'must be KIND/ID-or-NAME (service/web), or an id, name or kind')
    .optional(),
  action: z
    .string()
    .max(300)
    .refine((v) => v.split(',').every((a) => (auditActions as readonly string[]).includes(a)), `must be one of ${auditActions.join(', ')}, or a comma-separated list of them`)
    .optional(),
  limit: queryParam.int(1, maxAuditLimit),
};

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const durationPattern = /^(\d+(?:ms|s|m|h|d|w))+$/;

/**
 * A point in time given as an ISO 8601 time or as a duration back from now (`90m`, `1h30m`,
 * `7d`, `2w`), the way `shoal events --since 1h` passes it on.
 */
export function parseTimeParam(field: string, raw: string, now: number): number {
  const text = raw.trim();
  if (durationPattern.test(text)) {
    let total = 0;
    for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? 0);
    return now - total;
  }
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw invalidArgument(field, `"${raw}" is neither an ISO 8601 time (2024-05-01T12:00:00Z) nor a duration back from now (30m, 1h, 7d)`);
  return time;
}

/** Reads `GET /v1/audit`'s query parameters; a bad or unknown one is a 400 that names it. */
export function parseAuditQuery(query: Record<string, string | undefined>, now: number): AuditFilter {
  return auditFilterOf(parseQuery(auditQueryShape, query), now);
}

/** The filter the parsed parameters ask for (times read relative to `now`). */
export function auditFilterOf(q: QueryOf<typeof auditQueryShape>, now: number): AuditFilter {
  const filter: AuditFilter = { limit: q.limit ?? defaultAuditLimit };
  if (q.since !== undefined) filter.since = parseTimeParam('since', q.since, now);
  if (q.until !== undefined) filter.until = parseTimeParam('until', q.until, now);
  if (filter.since !== undefined && filter.until !== undefined && filter.until < filter.since) throw invalidArgument('until', 'is before since');
  if (q.actor !== undefined) filter.actor = q.actor;
  if (q.object !== undefined) {
    const slash = q.object.indexOf('/');
    filter.object = slash < 0 ? { ref: q.object } : { kind: q.object.slice(0, slash), ref: q.object.slice(slash + 1) };
  }
  if (q.action !== undefined) filter.actions = q.action.split(',') as AuditAction[];
  return filter;
}

/**
 * Whether an entry passes the filter. An actor matches exactly or by the name after its type
 * (`alice` matches `account:alice`), or by a personal key's access key; an object reference matches an id, an id prefix of at
 * least 6 characters, or a name; a bare reference also matches a kind (`service`).
 */
export function matchesAudit(entry: AuditEntry, filter: AuditFilter): boolean {
  const time = Date.parse(entry.time);
  if (filter.since !== undefined && time < filter.since) return false;
  if (filter.until !== undefined && time > filter.until) return false;
  if (filter.actor !== undefined && !actorNames(entry.actor).includes(filter.actor)) return false;
  if (filter.actions && !filter.actions.includes(entry.action)) return false;
  if (filter.object) {
    const { kind, ref } = filter.object;
    const { id, name } = entry.object;
    const byRef = name === ref || (id !== undefined && (id === ref || (ref.length >= 6 && id.startsWith(ref))));
    if (kind !== undefined ? entry.object.kind !== kind || !byRef : entry.object.kind !== ref && !byRef) return false;
  }
  return true;
}

/**
 * What an actor can be asked for by: itself, the name after its type, and the access key of a
 * personal key (`account:ann (key AK...)` answers to `ann` and `AK...` too).
 */
function actorNames(actor: string): string[] {
  const m = /^[a-z-]+:([^ ]+)(?: \(key ([^)]+)\))?$/.exec(actor);
  return m ? [actor, m[1] ?? '', ...(m[2] ? [m[2], `apikey:${m[2]}`] : [])] : [actor];
}

/** The newest `limit` matching entries, newest last. */
export function selectAudit(entries: readonly AuditEntry[], filter: AuditFilter): { entries: AuditEntry[]; more: boolean } {
  const matching = entries.filter((e) => matchesAudit(e, filter));
  return { entries: matching.slice(-filter.limit), more: matching.length > filter.limit };
}

/**
 * The same from pages of entries read newest first: stops reading once it has one entry past
 * the limit or has passed `since`, so a query about recent changes reads recent pages only.
 */
export async function selectAuditNewestFirst(pages: AsyncIterable<readonly AuditEntry[]> | Iterable<readonly AuditEntry[]>, filter: AuditFilter): Promise<{ entries: AuditEntry[]; more: boolean }> {
  const newestFirst: AuditEntry[] = [];
  for await (const page of pages) {
    for (const e of page) if (matchesAudit(e, filter)) newestFirst.push(e);
    if (newestFirst.length > filter.limit) break;
    // Entries are written in time order: past `since`, older pages hold nothing that matches.
    const oldest = page.at(-1);
    if (filter.since !== undefined && oldest && Date.parse(oldest.time) < filter.since) break;
  }
  return { entries: newestFirst.slice(0, filter.limit).reverse(), more: newestFirst.length > filter.limit };
}
