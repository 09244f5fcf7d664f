import { parseDuration } from './duration.js';
import { ParseError } from './parse-error.js';

/** A Go-style duration or whole days (`30d`), since retention is counted in days; at least a minute. */
export function parseRetention(text: string): number {
  const days = /^(\d+)d$/.exec(text.trim());
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(text);
  if (ms < 60_000) throw new ParseError(`"${text}" must be at least 1m`);
  return ms;
}
