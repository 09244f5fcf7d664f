import { ParseError } from './parse-error.js';

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/**
 * Go-style durations as docker takes them ("500ms", "10s", "1m30s", "1h"), in whole
 * milliseconds. A bare number is refused (except 0) because "10" could mean seconds or ms.
 */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') throw new ParseError('is not a duration (e.g. 500ms, 10s, 1m30s)');
  if (/^\d+(\.\d+)?$/.test(s)) throw new ParseError(`"${s}" needs a unit (e.g. ${s}s or ${s}ms)`);
  if (s.startsWith('-')) throw new ParseError(`"${s}" must not be negative`);
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < s.length) {
    const at = part.lastIndex;
    const m = part.exec(s);
    if (!m) throw new ParseError(`"${s}" is not a duration (e.g. 500ms, 10s, 1m30s): cannot read "${s.slice(at)}"`);
    total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? 0);
  }
  return Math.round(total);
}

/** The inverse, for display: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
