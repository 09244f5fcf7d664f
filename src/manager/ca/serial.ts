import { randomBytes } from 'node:crypto';

/**
 * 128 random bits as a positive DER integer with no leading zero byte, so that Node's uppercase
 * hex and the library's hex agree after case folding (see normalizeSerial).
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x10;
  return bytes.toString('hex');
}
