import { z } from 'zod';
import { invalidArgument } from './errors.js';
import { parseOrThrow } from './validation.js';

/** The query parameters a route takes, by name; every value arrives as text. */
export type QueryShape = Record<string, z.ZodType>;
export type QueryOf<S extends QueryShape> = { [K in keyof S]: z.output<S[K]> };

// `?since=` says nothing: an empty flag, number or choice is taken as absent.
const emptyIsAbsent = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** Schemas for query values, each optional. */
export const queryParam = {
  bool: () => emptyIsAbsent(z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1')),
  /** A whole number within bounds: counts and page sizes are capped so no request asks for everything at once. */
  int: (min: number, max: number) =>
    emptyIsAbsent(
      z
        .string()
        .regex(/^\d{1,16}$/, 'must be a whole number')
        .transform(Number)
        .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`)),
    ),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) => emptyIsAbsent(z.enum(values, { error: `must be one of ${values.join(', ')}` })),
  text: (max: number) => z.string().max(max, `must be at most ${max} characters`).optional(),
};

/**
 * Reads a query string against the parameters a route takes: another name is refused (a typo
 * must not silently widen a filter), and so is a value outside its schema, each with a 400 that
 * names the parameter. `env` is every route's (checked by the authorizer's `environmentOf`).
 */
export function parseQuery<S extends QueryShape>(shape: S, query: Record<string, string | undefined>): QueryOf<S> {
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (name === 'env' || value === undefined) continue;
    if (!Object.hasOwn(shape, name)) {
      const takes = Object.keys(shape);
      throw invalidArgument(name, `is not a query parameter of this route (${takes.length > 0 ? `it takes ${takes.join(', ')}` : 'it takes none'} besides env)`);
    }
    given[name] = value;
  }
  return parseOrThrow(z.object(shape), given) as QueryOf<S>;
}
