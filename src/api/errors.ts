/**
 * One error model for every part of Shoal: an error carries a code and, where it applies,
 * the field that caused it. `http/error-mapping.ts` and the CLI turn codes into HTTP
 * statuses and one-line messages in one place each.
 */
export const errorCodes = [
  'invalid_argument',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'already_exists',
  'conflict',
  'failed_precondition',
  'payload_too_large',
  /** Too many attempts (failed logins): retry later; or a write over an environment's quota. */
  'resource_exhausted',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export class ShoalError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ShoalError';
    this.code = code;
    this.field = field;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const invalidArgument = (field: string, message: string): ShoalError =>
  new ShoalError('invalid_argument', `${field}: ${message}`, field);
export const notFound = (kind: string, ref: string): ShoalError =>
  new ShoalError('not_found', `${kind} "${ref}" not found`);

export const httpStatusByCode: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  failed_precondition: 409,
  payload_too_large: 413,
  resource_exhausted: 429,
  unavailable: 503,
  internal: 500,
};

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const e = (value).error;
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}
