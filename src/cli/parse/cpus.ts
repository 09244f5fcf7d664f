import { ParseError } from './parse-error.js';

/** CPUs as a decimal ("0.5", "2") to nano-CPUs (5e8, 2e9), the unit the spec stores. */
export function parseCpus(text: string): number {
  const s = text.trim();
  const m = /^(\d+)(?:\.(\d{1,9}))?$|^\.(\d{1,9})$/.exec(s);
  if (!m) throw new ParseError(`"${text}" is not a number of CPUs (e.g. 0.5 or 2)`);
  // Whole and fractional parts apart, so that "0.3" gives exactly 300000000 without float error.
  const whole = Number(m[1] ?? '0');
  const fraction = (m[2] ?? m[3] ?? '').padEnd(9, '0');
  const nano = whole * 1e9 + Number(fraction);
  if (!Number.isSafeInteger(nano)) throw new ParseError(`"${text}" is too large`);
  return nano;
}

/** For display: 500000000 → "0.5". */
export const formatCpus = (nanoCpus: number): string => String(nanoCpus / 1e9);
