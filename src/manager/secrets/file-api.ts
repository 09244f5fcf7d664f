import { ShoalError } from '../../api/errors.js';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { createFileSchema, fileKey, rotateFileSchema, type EnsureResult, type FileKind, type FileView } from '../../api/secrets.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import type { SecretBox } from '../ca/secret-box.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import { fileClaimId, type FileObject, type StoredFileVersion } from './file-object.js';
import { usesFile } from './file-references.js';
import { rolledForRotation } from './rotation-rollout.js';
import { defaultKeptVersions, retainedVersions } from './version-retention.js';

export interface FileApiOptions {
  kind: FileKind;
  store: Store;
  /** The cluster's SecretBox: every version is sealed with it, configs too. */
  box: SecretBox;
  now?: () => number;
  keepVersions?: number;
}

/**
 * Secrets (and, with kind `config`, configs) of an environment: create, list, inspect,
 * rotate, remove, and `ensure` for stack deploys. Content goes in sealed and comes out only to
 * the dispatcher (for the nodes whose tasks mount it) and, for configs, on an explicit read.
 */
export class FileApi {
  readonly kind: FileKind;
  private readonly store: Store;
  private readonly box: SecretBox;
  private readonly now: () => number;
  private readonly keep: number;

  constructor(options: FileApiOptions) {
    this.kind = options.kind;
    this.store = options.store;
    this.box = options.box;
    this.now = options.now ?? Date.now;
    this.keep = options.keepVersions ?? defaultKeptVersions;
  }

  async list(ctx: RequestContext): Promise<FileView[]> {
    const [files, services] = await Promise.all([this.store.list<FileObject>(this.kind, { env: ctx.env }), this.services(ctx.env)]);
    return files.sort((a, b) => a.name.localeCompare(b.name)).map((f) => this.view(f, services));
  }

  async get(ctx: RequestContext, ref: string, opts: { content?: boolean } = {}): Promise<FileView> {
    if (opts.content && this.kind === 'secret') {
      throw new ShoalError('invalid_argument', 'content: the content of a secret is never returned; only the containers that mount it read it', 'content');
    }
    const file = await this.resolve(ctx.env, ref);
    const view = this.view(file, await this.services(ctx.env));
    if (!opts.content) return view;
    const current = file.versions.find((v) => v.version === file.current);
    return current ? { ...view, data: this.box.open(current.sealed) } : view;
  }

  async create(ctx: RequestContext, body: unknown): Promise<FileView> {
    const input = parseOrThrow(createFileSchema, body);
    const file = await this.createObject(ctx, input.name, input.data, input.labels);
    return this.view(file, []);
  }

  /**
   * A new version; every service of the environment that mounts it is moved to it through its
   * update config, in the same commit (see `rolledForRotation`).
   */
  async rotate(ctx: RequestContext, ref: string, body: unknown): Promise<FileView> {
    const { data } = parseOrThrow(rotateFileSchema, body);
    const file = await this.resolve(ctx.env, ref);
    const next = await this.addVersion(ctx, file.id, data);
    return this.view(next, await this.services(ctx.env));
  }

  /** Refused while a service mounts it: its tasks could not be replaced or restarted. */
  async remove(ctx: RequestContext, ref: string): Promise<{ id: string; name: string }> {
    const file = await this.resolve(ctx.env, ref);
    const users = (await this.services(ctx.env)).filter((s) => usesFile(s.spec, this.kind, file.name));
    if (users.length > 0) {
      const names = users.map((s) => s.name).sort();
      throw new ShoalError('failed_precondition', `${this.kind} "${file.name}" is used by ${names.length === 1 ? 'service' : 'services'} ${names.join(', ')}; remove ${names.length === 1 ? 'it' : 'them'} or the reference first`);
    }
    try {
      await this.store.commit([
        { op: 'delete', kind: this.kind, id: file.id, expectVersion: file.version },
        { op: 'delete', kind: 'name-claim', id: fileClaimId(this.kind, file.env, file.name) },
      ], { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', `the ${this.kind} changed while this request ran; retry`);
      throw err;
    }
    return { id: file.id, name: file.name };
  }

  /**
   * For stack deploys: creates the secret (config) or adds a version only when `data` differs
   * from the current version's content (compared decrypted), so redeploying an unchanged stack
   * rolls nothing. A new version rolls the services that mount it, as `rotate` does.
   */
  async ensure(ctx: RequestContext, name: string, data: Uint8Array, opts: { labels?: Record<string, string> } = {}): Promise<EnsureResult> {
    const b64 = parseOrThrow(rotateFileSchema, { data: Buffer.from(data).toString('base64') }).data;
    return retryOnConflict(async () => {
      const [existing] = await this.store.list<FileObject>(this.kind, { env: ctx.env, where: { name } });
      if (!existing) {
        const created = await this.createObject(ctx, parseOrThrow(createFileSchema, { name, data: b64 }).name, b64, opts.labels ?? {});
        return { name, version: created.current, changed: true };
      }
      const current = existing.versions.find((v) => v.version === existing.current);
      if (current && this.box.open(current.sealed) === b64) return { name, version: existing.current, changed: false };
      const next = await this.addVersion(ctx, existing.id, b64);
      return { name, version: next.current, changed: true };
    });
  }

  /** base64 of one version, for the dispatcher; undefined when it is gone. Never logged. */
  async content(env: string, name: string, version: number): Promise<string | undefined> {
    const [file] = await this.store.list<FileObject>(this.kind, { env, where: { name } });
    const found = file?.versions.find((v) => v.version === version);
    return found ? this.box.open(found.sealed) : undefined;
  }

  /** Removing an environment takes its secrets (configs) and their name claims in the same commit. */
  async environmentRemovalOps(env: string): Promise<Op[]> {
    const files = await this.store.list<FileObject>(this.kind, { env });
    return files.flatMap((f): Op[] => [
      { op: 'delete', kind: this.kind, id: f.id, expectVersion: f.version },
      { op: 'delete', kind: 'name-claim', id: fileClaimId(this.kind, env, f.name) },
    ]);
  }

  private async createObject(ctx: RequestContext, name: string, b64: string, labels: Record<string, string>): Promise<FileObject> {
    const time = new Date(this.now()).toISOString();
    const file: FileObject = {
      id: newId(),
      env: ctx.env,
      version: 0,
      kind: this.kind,
      name,
      createdAt: time,
      updatedAt: time,
      labels,
      current: 1,
      versions: [this.sealVersion(1, b64, time)],
    };
    const claim = { id: fileClaimId(this.kind, ctx.env, name), env: ctx.env, version: 0, objectId: file.id };
    try {
      const revision = await this.store.commit([
        { op: 'create', kind: 'name-claim', value: claim },
        { op: 'create', kind: this.kind, value: file },
      ], { actor: ctx.actor });
      return { ...file, version: revision };
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: a ${this.kind} named "${name}" already exists`, 'name');
      throw err;
    }
  }

  /** Appends a version, prunes old unpinned ones and rolls the services using it: one commit. */
  private async addVersion(ctx: RequestContext, id: string, b64: string): Promise<FileObject> {
    try {
      return await retryOnConflict(async () => {
        const file = await this.store.get<FileObject>(this.kind, id);
        if (!file || file.env !== ctx.env) throw new ShoalError('not_found', `${this.kind} "${id}" not found`);
        const time = new Date(this.now()).toISOString();
        const version = file.current + 1;
        const [services, tasks] = await Promise.all([this.services(ctx.env), this.store.list<TaskObject>('task', { env: ctx.env })]);
        const users = services.filter((s) => usesFile(s.spec, this.kind, file.name));
        const key = fileKey(this.kind, file.name);
        const pinned = new Set([...services, ...tasks].map((o) => o.fileVersions?.[key]).filter((v): v is number => v !== undefined));
        const next: FileObject = {
          ...file,
          updatedAt: time,
          current: version,
          versions: retainedVersions([...file.versions, this.sealVersion(version, b64, time)], pinned, this.keep),
        };
        const ops: Op[] = [
          { op: 'put', kind: this.kind, value: next, expectVersion: file.version },
          ...users.map((s): Op => ({ op: 'put', kind: 'service', value: rolledForRotation(s, this.kind, file.name, version, time), expectVersion: s.version })),
        ];
        const revision = await this.store.commit(ops, { actor: ctx.actor });
        return { ...next, version: revision };
      });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', `the ${this.kind} or a service using it kept changing while this request ran; retry`);
      throw err;
    }
  }

  private sealVersion(version: number, b64: string, time: string): StoredFileVersion {
    const bytes = Buffer.from(b64, 'base64');
    return { version, createdAt: time, size: bytes.length, sealed: this.box.seal(bytes.toString('base64')) };
  }

  private services(env: string): Promise<ServiceObject[]> {
    return this.store.list<ServiceObject>('service', { env });
  }

  /** By id, name, or a unique id prefix (3+ characters), within the caller's environment. */
  private async resolve(env: string, ref: string): Promise<FileObject> {
    const direct = await this.store.get<FileObject>(this.kind, ref);
    if (direct && direct.env === env) return direct;
    const [byName] = await this.store.list<FileObject>(this.kind, { env, where: { name: ref } });
    if (byName) return byName;
    const byPrefix = ref.length >= 3 ? (await this.store.list<FileObject>(this.kind, { env })).filter((f) => f.id.startsWith(ref)) : [];
    if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
    if (byPrefix.length > 1) throw new ShoalError('invalid_argument', `${this.kind} reference "${ref}" is ambiguous: it matches ${byPrefix.length} ${this.kind}s`, 'ref');
    throw new ShoalError('not_found', `${this.kind} "${ref}" not found`);
  }

  private view(file: FileObject, services: ServiceObject[]): FileView {
    return {
      id: file.id,
      env: file.env,
      kind: this.kind,
      name: file.name,
      version: file.version,
      createdAt: file.createdAt,
      updatedAt: file.updatedAt,
      labels: file.labels,
      currentVersion: file.current,
      versions: file.versions.map((v) => ({ version: v.version, createdAt: v.createdAt, ...(this.kind === 'config' ? { size: v.size } : {}) })),
      usedBy: services.filter((s) => usesFile(s.spec, this.kind, file.name)).map((s) => ({ id: s.id, name: s.name })).sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
}
