import { ShoalError } from '../api/errors.js';
import { ParseError } from './parse/parse-error.js';

/** The one-line error for a bad flag value: `--publish "80:abc": "abc" is not a valid port`. */
export function flagError(flag: string, value: string, message: string): ShoalError {
  return new ShoalError('invalid_argument', `${flag} "${value}": ${message}`, flag);
}

/** Runs a value parser, turning its ParseError into a flagError that names the flag. */
export function parseFlag<T>(flag: string, value: string, parse: (text: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof ParseError) throw flagError(flag, value, err.message);
    throw err;
  }
}
