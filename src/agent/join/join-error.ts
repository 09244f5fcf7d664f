/** A join that retrying cannot fix (bad token, CA mismatch, refused by the manager). */
export class JoinError extends Error {
  override readonly name = 'JoinError';
}
