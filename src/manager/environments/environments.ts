import { z } from 'zod';
import type { EnvironmentView, MemberView } from '../../api/access-views.js';
import { ShoalError } from '../../api/errors.js';
import type { NodeObject, ServiceObject } from '../../api/objects.js';
import { defaultEnvironment } from '../../api/objects.js';
import { namePattern } from '../../api/service-spec.js';
import { effectiveQuotas, updateQuotasSchema } from '../../api/quotas.js';
import { parseOrThrow } from '../../api/validation.js';
import { clusterScope, type AccountObject } from '../auth/account-object.js';
import type { AccountApi } from '../auth/accounts.js';
import { environmentKeyDeletes } from '../auth/api-keys.js';
import { roles, type Role } from '../auth/role-permissions.js';
import type { Caller } from '../controlapi/request-context.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import type { NetworkObject } from '../../api/networks.js';
import { defaultNetworkOps, networkDeleteOps } from '../networks/network-object.js';
import type { EnvironmentObject } from './environment-object.js';
import { allowedHostPathList, setHostPathsSchema } from './host-paths.js';

const createSchema = z.strictObject({
  name: z.string().regex(namePattern, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  description: z.string().max(500, 'must be at most 500 characters').optional(),
});
const memberSchema = z.strictObject({ role: z.enum(roles) });

export interface EnvironmentApiOptions {
  now?: () => number;
  /**
   * More ops for the commit that removes an environment, for parts that keep objects of their own
   * per environment (join tokens, say), so nothing of a removed environment outlives it.
   */
  removeWith?: ((env: string) => Promise<Op[]>)[];
}

/** How many names a refusal lists before "...": enough to act on, short enough to read. */
const namesShown = 5;

const notFound = (name: string): ShoalError => new ShoalError('not_found', `environment "${name}" not found`);

/**
 * Environments (dev, test, prod...): create, list, remove, and their member lists, which are
 * where non-admin accounts get their roles. Stored in the cluster scope with the name as id, so
 * creating a name twice conflicts in the store itself, whichever manager does it.
 */
export class EnvironmentApi {
  private readonly now: () => number;
  private readonly removeWith: ((env: string) => Promise<Op[]>)[];

  constructor(
    private readonly store: Store,
    private readonly accounts: Pick<AccountApi, 'get' | 'byId'>,
    options: EnvironmentApiOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.removeWith = options.removeWith ?? [];
  }

  /** The environment, or undefined: what the authorizer reads on every request. */
  find(name: string): Promise<EnvironmentObject | undefined> {
    if (!namePattern.test(name)) return Promise.resolve(undefined);
    return this.store.get<EnvironmentObject>('environment', name);
  }

  async get(name: string): Promise<EnvironmentView> {
    const found = await this.find(name);
    if (!found) throw notFound(name);
    return view(found);
  }

  async list(): Promise<EnvironmentView[]> {
    const all = await this.store.list<EnvironmentObject>('environment', { env: clusterScope });
    return all.map((e) => view(e)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The environments a caller may see, with its role in each: administrators (and the open mode,
   * no caller) see all; an account sees those it is a member of; an environment key sees its own.
   */
  async listFor(caller: Caller | undefined): Promise<EnvironmentView[]> {
    const all = (await this.store.list<EnvironmentObject>('environment', { env: clusterScope })).sort((a, b) => a.name.localeCompare(b.name));
    return all.flatMap((e) => {
      const role = roleOf(e, caller);
      return !caller || caller.admin || role ? [view(e, role)] : [];
    });
  }

  /** One environment as `caller` may see it: one it has no role in is "not found", so names do not leak. */
  async getFor(caller: Caller | undefined, name: string): Promise<EnvironmentView> {
    const found = await this.find(name);
    const role = found ? roleOf(found, caller) : undefined;
    if (!found || (caller && !caller.admin && !role)) throw notFound(name);
    return view(found, role);
  }

  async create(actor: string, body: unknown): Promise<EnvironmentView> {
    const input = parseOrThrow(createSchema, body);
    const time = new Date(this.now()).toISOString();
    const env: EnvironmentObject = {
      id: input.name,
      env: clusterScope,
      version: 0,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      members: {},
      createdBy: actor,
      createdAt: time,
      updatedAt: time,
    };
    try {
      // Its built-in network comes with it: no moment exists where the environment lacks one.
      await this.store.commit([{ op: 'create', kind: 'environment', value: env }, ...defaultNetworkOps(input.name, time)], { actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: an environment named "${input.name}" already exists`, 'name');
      throw err;
    }
    return this.get(input.name);
  }

  /**
   * The `default` environment, which every manager needs (requests without `?env=` act there).
   * Idempotent, and safe when several managers of one store start at once: the store's create
   * lets exactly one win and the others find it there.
   */
  async ensureDefault(): Promise<void> {
    if (await this.find(defaultEnvironment)) return;
    try {
      await this.create('bootstrap', { name: defaultEnvironment, description: 'the environment requests act in when they name none' });
    } catch (err) {
      if (!(err instanceof ShoalError && err.code === 'already_exists')) throw err;
    }
  }

  /**
   * Refused while services or nodes remain, naming them: removing them is a decision with
   * consequences (running containers, joined hosts) the user makes one by one. The environment's
   * API keys and networks (the built-in one included) go in the same commit, so none outlives
   * it and acts in (or blocks the name of) a later namesake.
   */
  async remove(actor: string, name: string): Promise<{ name: string }> {
    if (name === defaultEnvironment) throw new ShoalError('failed_precondition', `environment "${defaultEnvironment}" cannot be removed: requests that name no environment act in it`);
    return retried(async () => {
      const current = await this.find(name);
      if (!current) throw notFound(name);
      const services = await this.store.list<ServiceObject>('service', { env: name });
      const nodes = await this.store.list<NodeObject>('node', { env: name });
      const left = [
        leftover(services.map((s) => s.name), 'service'),
        leftover(nodes.map((n) => n.hostname), 'node'),
      ].filter((x) => x !== '');
      if (left.length > 0) throw new ShoalError('failed_precondition', `environment "${name}" still has ${left.join(' and ')}; remove them first`);
      const networks = await this.store.list<NetworkObject>('network', { env: name });
      const ops: Op[] = [{ op: 'delete', kind: 'environment', id: name, expectVersion: current.version }, ...(await environmentKeyDeletes(this.store, name)), ...networks.flatMap(networkDeleteOps)];
      for (const more of this.removeWith) ops.push(...(await more(name)));
      await this.store.commit(ops, { actor });
      return { name };
    });
  }

  /**
   * Sets the quotas given (administrators: `PATCH /v1/environments/:name/quotas`); the others
   * keep their value. Lowering one below what the environment uses refuses only growth.
   */
  async updateQuotas(actor: string, name: string, body: unknown): Promise<EnvironmentView> {
    const input = parseOrThrow(updateQuotasSchema, body);
    await retried(async () => {
      const current = await this.find(name);
      if (!current) throw notFound(name);
      const next: EnvironmentObject = { ...current, quotas: { ...current.quotas, ...input }, updatedAt: new Date(this.now()).toISOString() };
      await this.store.commit([{ op: 'put', kind: 'environment', value: next, expectVersion: current.version }], { actor });
    });
    return this.get(name);
  }

  async members(name: string): Promise<MemberView[]> {
    const env = await this.find(name);
    if (!env) throw notFound(name);
    const out: MemberView[] = [];
    for (const [accountId, role] of Object.entries(env.members)) {
      // An entry whose account is gone (removed while this entry was being written) grants
      // nothing and is not shown.
      const account = await this.accounts.byId(accountId);
      if (account) out.push({ accountId, username: account.username, role });
    }
    return out.sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Grants `account` (id or username) a role in the environment, replacing the one it had. */
  async setMember(actor: string, name: string, accountRef: string, body: unknown): Promise<MemberView> {
    const { role } = parseOrThrow(memberSchema, body);
    const account = await this.accounts.get(accountRef);
    await this.writeMembers(actor, name, (members) => ({ ...members, [account.id]: role }));
    return { accountId: account.id, username: account.username, role };
  }

  async removeMember(actor: string, name: string, accountRef: string): Promise<{ accountId: string; username: string }> {
    const account = await this.accounts.get(accountRef);
    await this.writeMembers(actor, name, (members) => {
      if (!(account.id in members)) throw new ShoalError('not_found', `account "${account.username}" is not a member of environment "${name}"`);
      const { [account.id]: _gone, ...rest } = members;
      return rest;
    });
    return { accountId: account.id, username: account.username };
  }

  /** The environments an account is a member of, with its role in each. */
  async rolesOf(account: Pick<AccountObject, 'id'>): Promise<{ name: string; role: Role }[]> {
    const all = await this.store.list<EnvironmentObject>('environment', { env: clusterScope });
    return all.flatMap((e) => {
      const role = e.members[account.id];
      return role ? [{ name: e.name, role }] : [];
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Replaces the host paths any caller who may write services may bind (administrators; see
   * docs/SECURITY.md, "Host access"). Services already running keep their binds: the list is
   * checked when a spec is written.
   */
  async setHostPaths(actor: string, name: string, body: unknown): Promise<EnvironmentView> {
    const input = parseOrThrow(setHostPathsSchema, body);
    await this.rewrite(actor, name, (current) => {
      if (input.version !== undefined && input.version !== current.version) {
        throw new ShoalError('conflict', `version: environment "${name}" changed since version ${input.version} (now ${current.version}); read it again and retry`, 'version');
      }
      const { allowedHostPaths: _old, ...rest } = current;
      const paths = allowedHostPathList(input.paths);
      return paths.length > 0 ? { ...rest, allowedHostPaths: paths } : rest;
    });
    return this.get(name);
  }

  private async writeMembers(actor: string, name: string, change: (members: Record<string, Role>) => Record<string, Role>): Promise<void> {
    await this.rewrite(actor, name, (current) => ({ ...current, members: change(current.members) }));
  }

  private async rewrite(actor: string, name: string, change: (current: EnvironmentObject) => EnvironmentObject): Promise<void> {
    await retried(async () => {
      const current = await this.find(name);
      if (!current) throw notFound(name);
      const next: EnvironmentObject = { ...change(current), updatedAt: new Date(this.now()).toISOString() };
      await this.store.commit([{ op: 'put', kind: 'environment', value: next, expectVersion: current.version }], { actor });
    });
  }
}

/**
 * Every member change rewrites the environment object, so writers to one environment conflict
 * with each other; each retry follows someone else's success. One still losing after that many
 * is told to retry (409), never a 500.
 */
async function retried<R>(fn: () => Promise<R>): Promise<R> {
  try {
    return await retryOnConflict(fn, 10);
  } catch (err) {
    if (err instanceof ConflictError) throw new ShoalError('conflict', 'the environment changed while this request ran; retry');
    throw err;
  }
}

/** A caller's role in an environment: its membership, or an environment key's role in its own environment. */
export function roleOf(env: EnvironmentObject, caller: Caller | undefined): Role | undefined {
  if (!caller) return undefined;
  if (caller.type === 'apikey') return caller.envKey?.env === env.name ? caller.envKey.role : undefined;
  return env.members[caller.id];
}

function view(e: EnvironmentObject, role?: Role): EnvironmentView {
  return {
    name: e.name,
    ...(e.description !== undefined ? { description: e.description } : {}),
    ...(e.allowedHostPaths && e.allowedHostPaths.length > 0 ? { allowedHostPaths: e.allowedHostPaths } : {}),
    version: e.version,
    createdBy: e.createdBy,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    ...(role ? { role } : {}),
    quotas: effectiveQuotas(e.quotas),
  };
}

/** `2 services (web, db)`, or '' when there are none. */
function leftover(names: string[], noun: string): string {
  if (names.length === 0) return '';
  const sorted = [...names].sort();
  const shown = sorted.slice(0, namesShown).join(', ') + (sorted.length > namesShown ? ', ...' : '');
  return `${names.length} ${noun}${names.length === 1 ? '' : 's'} (${shown})`;
}
