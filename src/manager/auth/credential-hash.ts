import { createHash, timingSafeEqual } from 'node:crypto';
import { newTokenSecret } from '../ca/join-token.js';

/**
 * Session tokens and API key secrets are 160 random bits, so a plain SHA-256 is enough to store
 * them: unlike passwords there is nothing to guess, and checking stays cheap on every request.
 */
export const hashCredential = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export const newCredentialSecret = (): string => newTokenSecret();

/** Constant-time comparison of a presented secret with a stored SHA-256 hex. */
export function credentialMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashCredential(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}
