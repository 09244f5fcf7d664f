import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatJoinToken, joinTokenFormatHint, parseJoinToken } from '../../lib/pki/join-token-format.js';
import { defaultTokenEnvironment, type ClusterObject, type JoinRole, type StoredJoinToken } from './cluster-object.js';
import type { SecretBox } from './secret-box.js';

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 160 random bits as 32 base32 characters (5 bits each). */
export function newTokenSecret(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += base32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// A plain hash suffices: the secret has 160 random bits, so a slow password hash adds nothing.
const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function newStoredToken(caHash: string, box: SecretBox, now: Date): { token: string; stored: StoredJoinToken } {
  const token = formatJoinToken(caHash, newTokenSecret());
  return { token, stored: { hash: hashToken(token), sealed: box.seal(token), rotatedAt: now.toISOString() } };
}

/**
 * What a current token grants: a role and the environment the node joins. Manager tokens are
 * cluster-wide; their nodes land in `default`, as before environments existed. `envCreatedAt`
 * is set for tokens of environments other than `default`: the caller checks that this
 * environment still exists as the same incarnation.
 */
export type TokenGrant = { role: JoinRole; env: string; envCreatedAt?: string };
export type TokenCheck = ({ ok: true } & TokenGrant) | { ok: false; message: string };

/**
 * Which role a presented token grants. The messages say what is wrong without echoing the
 * token; a token of another cluster and a rotated one are told apart because an operator fixes
 * them differently.
 */
export function checkJoinToken(cluster: ClusterObject, caHash: string, token: unknown): TokenCheck {
  if (typeof token !== 'string' || token.length === 0) return { ok: false, message: 'token: a join token is required' };
  const parsed = token.length <= 200 ? parseJoinToken(token) : undefined;
  if (!parsed) return { ok: false, message: `token: malformed (${joinTokenFormatHint})` };
  if (parsed.caHash !== caHash) return { ok: false, message: 'token: it belongs to another cluster (its CA hash differs from this cluster\'s)' };
  const given = Buffer.from(hashToken(token.trim()), 'hex');
  const matches = (stored: StoredJoinToken): boolean => timingSafeEqual(given, Buffer.from(stored.hash, 'hex'));
  for (const role of ['worker', 'manager'] as const) {
    if (matches(cluster.tokens[role])) return { ok: true, role, env: defaultTokenEnvironment };
  }
  for (const [env, stored] of Object.entries(cluster.environmentTokens ?? {})) {
    if (matches(stored)) return { ok: true, role: 'worker', env, envCreatedAt: stored.envCreatedAt };
  }
  return { ok: false, message: 'token: not a current join token of this cluster (wrong, or rotated)' };
}
