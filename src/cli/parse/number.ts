import { ParseError } from './parse-error.js';

export function parseNonNegativeInt(text: string): number {
  const s = text.trim();
  if (!/^\d+$/.test(s)) throw new ParseError(`"${text}" is not a whole number`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ParseError(`"${text}" is too large`);
  return n;
}

/** A count of at least one, such as `--limit` takes. */
export function parsePositiveInt(text: string): number {
  const n = parseNonNegativeInt(text);
  if (n < 1) throw new ParseError(`"${text}" must be at least 1`);
  return n;
}

/** A fraction from 0 to 1, such as --update-max-failure-ratio takes. */
export function parseRatio(text: string): number {
  const s = text.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
  if (Number.isNaN(n) || n > 1) throw new ParseError(`"${text}" must be a number from 0 to 1`);
  return n;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new ParseError(`"${text}" must be one of ${choices.join(', ')}`);
}
