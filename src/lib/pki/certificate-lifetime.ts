/** Certificates start this long before they are issued, to tolerate clock skew between hosts. */
export const certificateBackdateMs = 60_000;

/**
 * When a node renews: once two thirds of the lifetime it was given have passed. The lifetime is
 * read back from the certificate (minus the backdating), so a restarted agent computes the same
 * moment without remembering anything.
 */
export function renewalTime(notBefore: Date, notAfter: Date): number {
  const start = notBefore.getTime() + certificateBackdateMs;
  const lifetime = Math.max(0, notAfter.getTime() - start);
  return start + (lifetime * 2) / 3;
}
