import { invalidArgument } from '../../api/errors.js';

export function intParam(query: Record<string, string | undefined>, name: string, min = 0): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw invalidArgument(name, `"${raw}" is not an integer`);
  const n = Number(raw);
  if (n < min) throw invalidArgument(name, `must be at least ${min}`);
  return n;
}

export function boolParam(query: Record<string, string | undefined>, name: string): boolean {
  const raw = query[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw invalidArgument(name, `"${raw}" is not true or false`);
}

/**
 * The query string as routes read it: one value per name. A repeated name (`?name=a&name=b`)
 * arrives as an array, which no route expects, so it is refused here for all of them.
 */
export function singleValuedQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) throw invalidArgument(name, `is given ${value.length} times; give it once`);
    out[name] = typeof value === 'string' ? value : undefined;
  }
  return out;
}
