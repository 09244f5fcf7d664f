import { z } from 'zod';
import { ShoalError } from '../../api/errors.js';
import { namePattern } from '../../api/service-spec.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import { ConflictError, type Op, type Store, type StoredObject } from '../store/store.js';
import { apiKeyView, clusterScope, type AccountObject, type ApiKeyObject, type ApiKeyView } from './account-object.js';
import { credentialMatches, hashCredential, newCredentialSecret } from './credential-hash.js';
import { roles } from './role-permissions.js';

const keyName = z.string().regex(namePattern, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit');
const createSchema = z.strictObject({ name: keyName, role: z.enum(roles) });
const personalSchema = z.strictObject({ name: keyName });

const claimId = (env: string, name: string): string => `apikey/${env}/${name}`;
// Personal key names are unique per account. No environment name holds a "~", so the two
// claim families never meet.
const personalClaimId = (accountId: string, name: string): string => `apikey/~${accountId}/${name}`;
const accessKeyPattern = /^AK[0-9A-Z]{20}$/;

// lastUsedAt is written at most this often per key: a store commit on every request would turn
// each read into a write.
const lastUsedResolutionMs = 60_000;

export interface CreatedApiKey extends ApiKeyView {
  /** Shown in this answer only; the store keeps its SHA-256. */
  secret: string;
}

/**
 * API keys of environments and personal ones: create (secret shown once), list, revoke, and the
 * check on each request.
 */
export class ApiKeyApi {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async create(actor: string, env: string, body: unknown): Promise<CreatedApiKey> {
    const input = parseOrThrow(createSchema, body);
    return this.issue(actor, { env, name: input.name, role: input.role }, claimId(env, input.name), `an API key named "${input.name}" already exists in environment "${env}"`);
  }

  async list(env: string): Promise<ApiKeyView[]> {
    const keys = await this.store.list<ApiKeyObject>('api-key', { env });
    return keys.map(apiKeyView).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Takes effect on the next request: every request reads the key from the store. */
  async revoke(actor: string, env: string, ref: string): Promise<{ accessKey: string }> {
    const keys = await this.store.list<ApiKeyObject>('api-key', { env });
    const key = keys.find((k) => k.id === ref) ?? keys.find((k) => k.name === ref);
    if (!key) throw new ShoalError('not_found', `API key "${ref}" not found in environment "${env}"`);
    return this.withdraw(actor, key, claimId(env, key.name), ref);
  }

  /**
   * A personal key: acts as `account` (its admin flag and memberships) in every environment,
   * like the credential `shoal up` writes for the local CLI. Stored in the cluster scope.
   */
  async createPersonal(actor: string, account: AccountObject, name: unknown): Promise<CreatedApiKey> {
    const input = parseOrThrow(personalSchema, { name });
    return this.issue(actor, { env: clusterScope, name: input.name, accountId: account.id }, personalClaimId(account.id, input.name), `you have an API key named "${input.name}" already`);
  }

  async listPersonal(accountId: string): Promise<ApiKeyView[]> {
    const keys = await this.store.list<ApiKeyObject>('api-key', { env: clusterScope });
    return keys.filter((k) => k.accountId === accountId).map(apiKeyView).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Another account's key is "not found", so key names and access keys of others never leak. */
  async revokePersonal(actor: string, accountId: string, ref: string): Promise<{ accessKey: string }> {
    const keys = (await this.store.list<ApiKeyObject>('api-key', { env: clusterScope })).filter((k) => k.accountId === accountId);
    const key = keys.find((k) => k.id === ref) ?? keys.find((k) => k.name === ref);
    if (!key) throw new ShoalError('not_found', `API key "${ref}" not found among your keys`);
    return this.withdraw(actor, key, personalClaimId(accountId, key.name), ref);
  }

  /** Stores a new key with its name claim in one commit; the secret leaves only in the answer. */
  private async issue(actor: string, fields: Pick<ApiKeyObject, 'env' | 'name' | 'role' | 'accountId'>, claim: string, duplicate: string): Promise<CreatedApiKey> {
    const secret = newCredentialSecret();
    const key: ApiKeyObject = {
      id: `AK${newId(20).toUpperCase()}`,
      version: 0,
      ...fields,
      secretHash: hashCredential(secret),
      createdBy: actor,
      createdAt: new Date(this.now()).toISOString(),
    };
    try {
      await this.store.commit([
        { op: 'create', kind: 'name-claim', value: { id: claim, env: fields.env, version: 0, objectId: key.id } as StoredObject },
        { op: 'create', kind: 'api-key', value: key },
      ], { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: ${duplicate}`, 'name');
      throw err;
    }
    return { ...apiKeyView(key), secret };
  }

  private async withdraw(actor: string, key: ApiKeyObject, claim: string, ref: string): Promise<{ accessKey: string }> {
    try {
      await this.store.commit([
        { op: 'delete', kind: 'api-key', id: key.id },
        { op: 'delete', kind: 'name-claim', id: claim },
      ], { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('not_found', `API key "${ref}" was revoked meanwhile`);
      throw err;
    }
    return { accessKey: key.id };
  }

  /** The key an access key and secret identify, or undefined (unknown, revoked, wrong secret). */
  async verify(accessKey: string, secret: string): Promise<ApiKeyObject | undefined> {
    if (!accessKeyPattern.test(accessKey) || secret.length > 200) return undefined;
    const key = await this.store.get<ApiKeyObject>('api-key', accessKey);
    if (!key || !credentialMatches(secret, key.secretHash)) return undefined;
    await this.touch(key);
    return key;
  }

  private async touch(key: ApiKeyObject): Promise<void> {
    const now = this.now();
    if (key.lastUsedAt && now - Date.parse(key.lastUsedAt) < lastUsedResolutionMs) return;
    const next: ApiKeyObject = { ...key, lastUsedAt: new Date(now).toISOString() };
    try {
      await this.store.commit([{ op: 'put', kind: 'api-key', value: next, expectVersion: key.version }], { actor: `apikey:${key.id}` });
    } catch (err) {
      // Another request recorded the use first, or the key was revoked a moment ago (the next
      // request is refused): either way, nothing to do.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

/** Ops deleting an environment's keys and their name claims, for the commit that removes the environment. */
export async function environmentKeyDeletes(store: Store, env: string): Promise<Op[]> {
  const keys = await store.list<ApiKeyObject>('api-key', { env });
  return keys.flatMap((k): Op[] => [
    { op: 'delete', kind: 'api-key', id: k.id },
    { op: 'delete', kind: 'name-claim', id: claimId(env, k.name) },
  ]);
}

/** Ops deleting an account's personal keys and their name claims, for the commit that removes the account. */
export async function personalKeyDeletes(store: Store, accountId: string): Promise<Op[]> {
  const keys = (await store.list<ApiKeyObject>('api-key', { env: clusterScope })).filter((k) => k.accountId === accountId);
  return keys.flatMap((k): Op[] => [
    { op: 'delete', kind: 'api-key', id: k.id },
    { op: 'delete', kind: 'name-claim', id: personalClaimId(accountId, k.name) },
  ]);
}
