import { ParseError } from './parse-error.js';

const scale: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Memory sizes as docker reads them: binary units, case-insensitive, with an optional "b" or
 * "ib" ("64M", "64MiB", "1.5G", "512k"); a bare number is bytes.
 */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgtp]?)(i?b)?\s*$/i.exec(text);
  if (!m) throw new ParseError(`"${text}" is not a size (e.g. 512k, 64M, 1.5G, or bytes)`);
  const unit = (m[2] ?? '').toLowerCase();
  if (unit === '' && m[3] && m[3].toLowerCase() === 'ib') throw new ParseError(`"${text}" is not a size (e.g. 512k, 64M, 1.5G, or bytes)`);
  const bytes = Math.round(Number(m[1]) * (scale[unit] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new ParseError(`"${text}" is too large`);
  return bytes;
}

/** For display: 67108864 → "64MiB". */
export function formatMemory(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)}${units[i] ?? 'B'}`;
}
