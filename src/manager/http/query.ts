import { invalidArgument } from '../../api/errors.js';
import type { QueryOf, QueryShape } from '../../api/query-params.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { RouteDef, RouteInput } from './route.js';

/** A route handler that gets its query parameters parsed and typed (the server has parsed them with `shape`). */
export function withQuery<S extends QueryShape>(
  shape: S,
  handler: (input: RouteInput, ctx: RequestContext, query: QueryOf<S>) => Promise<unknown>,
): Pick<RouteDef, 'query' | 'handler'> {
  return { query: shape, handler: (input, ctx) => handler(input, ctx, input.parsedQuery as QueryOf<S>) };
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
