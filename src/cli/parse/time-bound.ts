import { ParseError } from './parse-error.js';

const unitMs: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const durationPattern = /^(?:\d+(?:s|m|h|d|w))+$/;
const part = /(\d+)(s|m|h|d|w)/g;

/**
 * A point in time for --since/--until: an ISO date or time ("2024-05-01", "2024-05-01T10:00Z"),
 * or a duration back from now ("30m", "2h", "7d", "1h30m"). Returned as an ISO time.
 */
export function parseTimeBound(text: string, now: number): string {
  const s = text.trim();
  if (durationPattern.test(s)) {
    let ms = 0;
    for (const m of s.matchAll(part)) ms += Number(m[1]) * (unitMs[m[2] ?? ''] ?? 0);
    return new Date(now - ms).toISOString();
  }
  // Date.parse alone would take "5" or "May" too: require a date that starts with the year.
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    const t = Date.parse(s);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  throw new ParseError(`"${text}" is neither a time (2024-05-01T10:00:00Z) nor a duration back from now (30m, 2h, 7d)`);
}
