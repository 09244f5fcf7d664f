/**
 * A flag value that does not parse. The message describes the value only; the caller adds
 * which flag it came from, so one parser serves `--publish` and `--publish-add` alike.
 */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
