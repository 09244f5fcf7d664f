import { z } from 'zod';
import { ShoalError } from '../../api/errors.js';
import { namePattern } from '../../api/service-spec.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import { membershipDeletes } from '../environments/memberships.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import { accountView, clusterScope, type AccountObject, type AccountView, type SessionObject } from './account-object.js';
import { personalKeyDeletes } from './api-keys.js';
import { decoyHash, hashPassword, verifyPassword } from './password-hash.js';

// Long enough to resist guessing behind the login throttle; no composition rules (NIST 800-63B).
const password = z.string().min(12, 'must be at least 12 characters').max(1024, 'must be at most 1024 characters');
const createSchema = z.strictObject({
  username: z.string().regex(namePattern, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  password,
  admin: z.boolean().default(false),
});
const passwdSchema = z.strictObject({ password });
const changeOwnSchema = z.strictObject({ currentPassword: z.string().max(1024), password });

const claimId = (username: string): string => `account/${username}`;

/** Accounts: create, list, passwd, remove. Answers never carry a password hash. */
export class AccountApi {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<AccountView[]> {
    const all = await this.store.list<AccountObject>('account');
    return all.map(accountView).sort((a, b) => a.username.localeCompare(b.username));
  }

  async get(ref: string): Promise<AccountView> {
    return accountView(await this.resolve(ref));
  }

  async create(actor: string, body: unknown): Promise<AccountView> {
    const input = parseOrThrow(createSchema, body);
    const time = new Date(this.now()).toISOString();
    const account: AccountObject = {
      id: newId(),
      env: clusterScope,
      version: 0,
      username: input.username,
      passwordHash: await hashPassword(input.password),
      admin: input.admin,
      createdAt: time,
      updatedAt: time,
    };
    const claim = { id: claimId(input.username), env: clusterScope, version: 0, objectId: account.id };
    try {
      await this.store.commit([
        { op: 'create', kind: 'name-claim', value: claim },
        { op: 'create', kind: 'account', value: account },
      ], { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `username: an account named "${input.username}" already exists`, 'username');
      throw err;
    }
    return accountView(account);
  }

  /** Sets a new password and ends the account's sessions, so a leaked session dies with the old password. */
  async passwd(actor: string, ref: string, body: unknown): Promise<AccountView> {
    const input = parseOrThrow(passwdSchema, body);
    const current = await this.resolve(ref);
    const next: AccountObject = { ...current, passwordHash: await hashPassword(input.password), updatedAt: new Date(this.now()).toISOString() };
    const ops: Op[] = [{ op: 'put', kind: 'account', value: next, expectVersion: current.version }, ...(await this.sessionDeletes(current.id))];
    await this.commitOrConflict(ops, actor);
    return accountView(next);
  }

  /**
   * The account's own change: needs the current password, so a stolen session or personal key
   * alone cannot take the account over. Ends the account's sessions but `keepSessionId` (the
   * one asking), so a session opened with the old password elsewhere dies. A wrong current
   * password is `unauthenticated`, which the route counts as a failed login.
   */
  async changeOwnPassword(actor: string, accountId: string, body: unknown, keepSessionId?: string): Promise<AccountView> {
    const input = parseOrThrow(changeOwnSchema, body);
    const current = await this.byId(accountId);
    if (!current) throw new ShoalError('not_found', 'the account was removed');
    if (!(await verifyPassword(input.currentPassword, current.passwordHash))) {
      throw new ShoalError('unauthenticated', 'currentPassword: wrong password', 'currentPassword');
    }
    const next: AccountObject = { ...current, passwordHash: await hashPassword(input.password), updatedAt: new Date(this.now()).toISOString() };
    const sessions = (await this.sessionDeletes(current.id)).filter((op) => op.op !== 'delete' || op.id !== keepSessionId);
    await this.commitOrConflict([{ op: 'put', kind: 'account', value: next, expectVersion: current.version }, ...sessions], actor);
    return accountView(next);
  }

  /**
   * Refuses to remove the last administrator: nobody could manage accounts afterwards. The
   * account's sessions, personal API keys and environment memberships go in the same commit, so
   * no credential or role of it outlives it.
   */
  async remove(actor: string, ref: string): Promise<{ id: string }> {
    const removed = await retryOnConflict(async () => {
      const current = await this.resolve(ref);
      if (current.admin && (await this.store.list<AccountObject>('account')).filter((a) => a.admin).length <= 1) {
        throw new ShoalError('failed_precondition', `account "${current.username}" is the last administrator; make another one first`);
      }
      await this.store.commit([
        { op: 'delete', kind: 'account', id: current.id, expectVersion: current.version },
        { op: 'delete', kind: 'name-claim', id: claimId(current.username) },
        ...(await this.sessionDeletes(current.id)),
        ...(await personalKeyDeletes(this.store, current.id)),
        ...(await membershipDeletes(this.store, current.id, new Date(this.now()).toISOString())),
      ], { actor });
      return current;
    }).catch((err: unknown) => {
      if (err instanceof ConflictError) throw new ShoalError('conflict', 'the account changed while this request ran; retry');
      throw err;
    });
    return { id: removed.id };
  }

  /** The account a username and password identify, or undefined; as slow for unknown users as for known ones. */
  async checkPassword(username: string, given: string): Promise<AccountObject | undefined> {
    const account = await this.byUsername(username);
    const ok = await verifyPassword(given, account?.passwordHash ?? (await decoyHash()));
    return ok ? account : undefined;
  }

  async byId(id: string): Promise<AccountObject | undefined> {
    return this.store.get<AccountObject>('account', id);
  }

  /** Through the username's name-claim: one lookup, not a scan of every account. */
  private async byUsername(username: string): Promise<AccountObject | undefined> {
    const claim = await this.store.get<{ id: string; env: string; version: number; objectId?: string }>('name-claim', claimId(username));
    return claim?.objectId ? this.byId(claim.objectId) : undefined;
  }

  private async resolve(ref: string): Promise<AccountObject> {
    const found = (await this.byId(ref)) ?? (await this.byUsername(ref));
    if (!found) throw new ShoalError('not_found', `account "${ref}" not found`);
    return found;
  }

  private async sessionDeletes(accountId: string): Promise<Op[]> {
    const sessions = await this.store.list<SessionObject>('session');
    return sessions.filter((s) => s.accountId === accountId).map((s) => ({ op: 'delete', kind: 'session', id: s.id }) as const);
  }

  private async commitOrConflict(ops: Op[], actor: string): Promise<void> {
    try {
      await this.store.commit(ops, { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', 'the account changed while this request ran; retry');
      throw err;
    }
  }
}
