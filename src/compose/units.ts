/** compose's value formats: durations, byte sizes, CPU counts, file modes. Each returns a message when malformed. */

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go durations as compose writes them (`1m30s`, `500ms`, `1.5h`) → whole milliseconds. */
export function parseDuration(text: string): number | string {
  const s = text.trim();
  if (s === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while (at < s.length && (m = part.exec(s)) !== null) {
    total += Number(m[1]) * (durationUnits[m[2] ?? 's'] ?? 1000);
    at = part.lastIndex;
  }
  if (s === '' || at !== s.length) return `"${s}" is not a duration such as 10s, 1m30s or 500ms`;
  return Math.round(total);
}

const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** Docker's byte sizes (`512M`, `1g`, `1.5gb`, `2048k`, a plain number of bytes) → bytes. */
export function parseBytes(text: string | number): number | string {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? text : `${text} is not a size in bytes`;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = byteUnits[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) return `"${text}" is not a size such as 512m, 1g or 1048576`;
  return Math.floor(Number(m[1]) * unit);
}

/** A CPU count (`0.5`, `'2'`) → nano-CPUs. */
export function parseCpus(text: string | number): number | string {
  const n = typeof text === 'number' ? text : /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n < 0) return `"${text}" is not a number of CPUs such as 0.5 or 2`;
  return Math.round(n * 1e9);
}

/**
 * A file mode. compose writes modes in octal (`0440`); YAML 1.2 reads a plain 0440 as the
 * decimal 440, so the written text decides: a leading 0 (or 0o) means octal.
 */
export function parseMode(value: string | number, source: string | undefined): number | string {
  const text = (source ?? String(value)).trim();
  if (/^0o?[0-7]+$/.test(text)) return parseInt(text.replace(/^0o?/, '') || '0', 8);
  if (/^[0-9]+$/.test(text)) return Number(text);
  return `"${text}" is not a file mode such as 0440`;
}
