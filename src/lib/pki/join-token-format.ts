/**
 * `SHOAL-1-<ca-hash>-<secret>`: the version, the SHA-256 of the cluster CA certificate (64 hex
 * digits, see ca-hash.ts) that a joining node pins, and a 160-bit random secret in lowercase
 * base32 (32 characters). The role is not in the token: the manager knows which secret is which.
 */
export interface ParsedJoinToken {
  caHash: string;
  secret: string;
}

const tokenPattern = /^SHOAL-1-([0-9a-f]{64})-([a-z2-7]{32})$/;

export function parseJoinToken(text: string): ParsedJoinToken | undefined {
  const m = tokenPattern.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  return { caHash: m[1], secret: m[2] };
}

export function formatJoinToken(caHash: string, secret: string): string {
  return `SHOAL-1-${caHash}-${secret}`;
}

export const joinTokenFormatHint = 'a join token looks like SHOAL-1-<64 hex digits>-<32 base32 characters>';
