import { z } from 'zod';
import { ShoalError } from '../../api/errors.js';
import { namePattern } from '../../api/service-spec.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import { ConflictError, type Store } from '../store/store.js';
import { apiKeyView, type ApiKeyObject, type ApiKeyView } from './account-object.js';
import { credentialMatches, hashCredential, newCredentialSecret } from './credential-hash.js';
import { roles } from './role-permissions.js';

const createSchema = z.strictObject({
  name: z.string().regex(namePattern, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  role: z.enum(roles),
});

const claimId = (env: string, name: string): string => `apikey/${env}/${name}`;
const accessKeyPattern = /^AK[0-9A-Z]{20}$/;

// lastUsedAt is written at most this often per key: a store commit on every request would turn
// each read into a write.
const lastUsedResolutionMs = 60_000;

export interface CreatedApiKey extends ApiKeyView {
  /** Shown in this answer only; the store keeps its SHA-256. */
  secret: string;
}

/** API keys of environments: create (secret shown once), list, revoke, and the check on each request. */
export class ApiKeyApi {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async create(actor: string, env: string, body: unknown): Promise<CreatedApiKey> {
    const input = parseOrThrow(createSchema, body);
    const secret = newCredentialSecret();
    const key: ApiKeyObject = {
      id: `AK${newId(20).toUpperCase()}`,
      env,
      version: 0,
      name: input.name,
      role: input.role,
      secretHash: hashCredential(secret),
      createdBy: actor,
      createdAt: new Date(this.now()).toISOString(),
    };
    const claim = { id: claimId(env, input.name), env, version: 0, objectId: key.id };
    try {
      await this.store.commit([
        { op: 'create', kind: 'name-claim', value: claim },
        { op: 'create', kind: 'api-key', value: key },
      ], { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: an API key named "${input.name}" already exists in environment "${env}"`, 'name');
      throw err;
    }
    return { ...apiKeyView(key), secret };
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
    try {
      await this.store.commit([
        { op: 'delete', kind: 'api-key', id: key.id },
        { op: 'delete', kind: 'name-claim', id: claimId(env, key.name) },
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
