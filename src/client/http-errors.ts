import { errorCodes, isErrorBody, ShoalError, type ErrorCode } from '../api/errors.js';

const codeByStatus: Record<number, ErrorCode> = {
  400: 'invalid_argument',
  401: 'unauthenticated',
  403: 'permission_denied',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'resource_exhausted',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

const knownCodes = new Set<string>(errorCodes);

/** Turns an `{ error: {...} }` body into a ShoalError; null when the value is not one. */
export function errorFromBody(value: unknown, status = 0): ShoalError | null {
  if (!isErrorBody(value)) return null;
  const { code, message, field } = value.error;
  // A code this client does not know (a newer manager) still maps to something sensible.
  const known: ErrorCode = knownCodes.has(code) ? code : (codeByStatus[status] ?? 'internal');
  return new ShoalError(known, message, typeof field === 'string' ? field : undefined);
}

/** Builds the error for a non-2xx response, whether or not its body has the Shoal shape. */
export function errorFromResponse(status: number, statusText: string, bodyText: string, url: string): ShoalError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText) as unknown;
  } catch {
    parsed = undefined;
  }
  const fromBody = errorFromBody(parsed, status);
  if (fromBody) return fromBody;
  // Not a Shoal error body: a proxy, or something else answering on the port.
  const code = codeByStatus[status] ?? (status >= 500 ? 'internal' : 'invalid_argument');
  const snippet = bodyText.trim().split('\n')[0]?.slice(0, 120) ?? '';
  return new ShoalError(code, `HTTP ${status} ${statusText} from ${url}${snippet ? `: ${snippet}` : ''}`);
}

/** The error for a request that never got an answer. */
export function unreachable(baseUrl: string, err: unknown): ShoalError {
  return new ShoalError('unavailable', `cannot reach the Shoal manager at ${baseUrl}: ${describeCause(err)}`);
}

function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && cause instanceof AggregateError) return code;
    return cause.message || (typeof code === 'string' ? code : err.message);
  }
  return err.message;
}

export const isAbortError = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
