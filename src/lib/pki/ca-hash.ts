import { createHash, X509Certificate } from 'node:crypto';

/**
 * The fingerprint a join token pins: SHA-256 over the CA certificate's DER, all 256 bits, as
 * 64 lowercase hex digits.
 */
export function caHashOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

export function caHashOfPem(pem: string): string {
  return caHashOfDer(new X509Certificate(pem).raw);
}
