import { ParseError } from './parse-error.js';

/**
 * `KEY=VALUE` for --env and --label. A bare `KEY` means: for env, the value of that variable
 * in the CLI's own environment (as docker does); for labels, an empty value.
 */
export function parseKeyValue(text: string, bare: 'empty' | ((key: string) => string | undefined)): [string, string] {
  const eq = text.indexOf('=');
  const key = (eq === -1 ? text : text.slice(0, eq)).trim();
  if (!key) throw new ParseError(`"${text}" needs a key (KEY=VALUE)`);
  if (/\s/.test(key)) throw new ParseError(`"${key}" must not contain spaces`);
  if (eq !== -1) return [key, text.slice(eq + 1)];
  if (bare === 'empty') return [key, ''];
  const value = bare(key);
  if (value === undefined) throw new ParseError(`"${key}" has no value and is not set in this shell (use ${key}=VALUE)`);
  return [key, value];
}

/** "a b  c" → ["a", "b", "c"], as --args and --entrypoint take their words. */
export const splitWords = (text: string): string[] => text.split(/\s+/).filter((w) => w.length > 0);
