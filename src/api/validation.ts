import type { z } from 'zod';
import { ShoalError } from './errors.js';

/** Turns the first zod issue into an invalid_argument error that names the field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
  const field = `${root}${path}`.replace(/^\./, '') || root || 'body';
  let message = issue?.message ?? 'is invalid';
  if (issue?.code === 'invalid_type') message = issue.input === undefined ? 'is required' : message;
  // A map key that fails its schema: zod says only "Invalid key in record"; the key's own issue says why.
  if (issue?.code === 'invalid_key') message = `key ${issue.issues[0]?.message ?? 'is invalid'}`;
  if (issue?.code === 'unrecognized_keys') {
    return fail(field, `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
  }
  return fail(field, message);
}

function fail(field: string, message: string): never {
  throw new ShoalError('invalid_argument', `${field}: ${message}`, field);
}
