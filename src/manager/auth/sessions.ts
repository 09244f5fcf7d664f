import { ShoalError } from '../../api/errors.js';
import type { Store } from '../store/store.js';
import { clusterScope, type AccountObject, type SessionObject } from './account-object.js';
import type { AccountApi } from './accounts.js';
import { hashCredential, newCredentialSecret } from './credential-hash.js';

export const defaultSessionTtlMs = 12 * 3600 * 1000;
const tokenPrefix = 'shoal-session-';

export interface LoginResult {
  token: string;
  expiresAt: string;
  username: string;
  admin: boolean;
}

/**
 * Login sessions. The token is shown once, in the login answer; the store keeps only its
 * SHA-256 (as the session's id), so a copied database holds no usable session.
 */
export class SessionApi {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountApi,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = defaultSessionTtlMs,
  ) {}

  /** A wrong username and a wrong password get the same answer, so usernames cannot be probed. */
  async login(username: unknown, password: unknown): Promise<LoginResult> {
    const account = typeof username === 'string' && typeof password === 'string' ? await this.accounts.checkPassword(username, password) : undefined;
    if (!account) throw new ShoalError('unauthenticated', 'wrong username or password');
    const token = `${tokenPrefix}${newCredentialSecret()}`;
    const now = this.now();
    const session: SessionObject = {
      id: hashCredential(token),
      env: clusterScope,
      version: 0,
      accountId: account.id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.ttlMs).toISOString(),
    };
    await this.store.commit([{ op: 'create', kind: 'session', value: session }], { actor: `account:${account.username}` });
    return { token, expiresAt: session.expiresAt, username: account.username, admin: account.admin };
  }

  /** The account a session token belongs to; undefined when unknown, expired, or its account is gone. */
  async resolve(token: string): Promise<AccountObject | undefined> {
    if (!token.startsWith(tokenPrefix) || token.length > 200) return undefined;
    const session = await this.store.get<SessionObject>('session', hashCredential(token));
    if (!session) return undefined;
    if (Date.parse(session.expiresAt) <= this.now()) {
      await this.forget(session.id, 'session-expiry');
      return undefined;
    }
    return this.accounts.byId(session.accountId);
  }

  async logout(token: string, actor: string): Promise<void> {
    if (token.startsWith(tokenPrefix)) await this.forget(hashCredential(token), actor);
  }

  /** Deletes expired sessions; meant for a slow periodic sweep. */
  async sweep(): Promise<number> {
    const now = this.now();
    const expired = (await this.store.list<SessionObject>('session')).filter((s) => Date.parse(s.expiresAt) <= now);
    if (expired.length > 0) await this.store.commit(expired.map((s) => ({ op: 'delete', kind: 'session', id: s.id }) as const), { actor: 'session-expiry' });
    return expired.length;
  }

  private async forget(id: string, actor: string): Promise<void> {
    try {
      await this.store.commit([{ op: 'delete', kind: 'session', id }], { actor });
    } catch {
      // Already deleted by a concurrent request: the outcome is the same.
    }
  }
}
