import { formatBytes } from '../../api/byte-size.js';
import { httpStatusByCode, ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: unknown;
}

/**
 * Maps any thrown value to a ShoalError; the one place errors become HTTP statuses.
 * `bodyLimitBytes`: the server's body limit, named when a body is refused for its size.
 */
export function toShoalError(err: unknown, bodyLimitBytes: number = limits.requestBodyBytes): ShoalError {
  if (err instanceof ShoalError) return err;
  const e = err as FastifyLikeError;
  const tooLarge = (): ShoalError => new ShoalError('payload_too_large', `request body is larger than the ${formatBytes(bodyLimitBytes)} limit`);
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return tooLarge();
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ShoalError('invalid_argument', 'body: send JSON (content-type: application/json)', 'body');
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new ShoalError('invalid_argument', 'body: a JSON body is required', 'body');
  if (e.statusCode === 400 || err instanceof SyntaxError) return new ShoalError('invalid_argument', `body: not valid JSON (${e.message})`, 'body');
  if (e.statusCode === 404) return new ShoalError('not_found', e.message);
  if (e.statusCode === 413) return tooLarge();
  return new ShoalError('internal', 'internal error');
}

export const statusOf = (err: ShoalError): number => httpStatusByCode[err.code];
