import { assertUniqueIngressPorts } from '../controlapi/ingress-ports.js';
import { isDeepStrictEqual } from 'node:util';
import { ShoalError } from '../../api/errors.js';
import type { ServiceObject, TaskObject } from '../../api/objects.js';
import type { StackSpec } from '../../api/stack-spec.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import { callerHolds } from '../auth/role-permissions.js';
import type { RequestContext } from '../controlapi/request-context.js';
import type { Permission } from '../http/route.js';
import { enforceQuotas } from '../controlapi/quotas.js';
import { authorizeHostAccess } from '../controlapi/host-access-check.js';
import { taskViews } from '../controlapi/tasks.js';
import { claimId, serviceWithSpec, type FileVersionPinner, type ServiceApi, type ServiceView } from '../controlapi/services.js';
import type { NetworkObject } from '../../api/networks.js';
import { networkCreateOps, networkDeleteOps, newNetworkObject } from '../networks/network-object.js';
import { attachedTo } from '../networks/network-targets.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import type { StackCompose } from './stack-compose.js';
import { stackFileRefs, stackFiles, stackLabel, type StackFiles } from './stack-files.js';
import { credentialValues, markSecretEnv } from './stack-secret-env.js';
import { desiredServices, type DesiredService } from './stack-names.js';
import { desiredNetworks, planNetworks, type DesiredNetwork } from './stack-networks.js';
import { stackHistoryLimit, stackId, type StackObject, type StackSource, type StackVersion } from './stack-object.js';
import { planStack, shortName, type StackPlan } from './stack-plan.js';
import { deployStackSchema, scaleStackSchema, stackNameSchema } from './stack-request.js';
import type { StackDeployResult, StackInspect, StackSummary } from '../../api/stack-views.js';
import { stackInspectView, stackSummary } from './stack-views.js';

export interface StackApiOptions {
  store: Store;
  compose: StackCompose;
  /** For the service views (replicas running/desired). */
  services: ServiceApi;
  /** Secrets and configs; without it a stack that has some is refused. */
  files?: StackFiles;
  /** Pins the versions of the secrets and configs each written service mounts. */
  pinner?: FileVersionPinner;
  /** Gives back the address ranges of the networks a deploy or removal took away. */
  networks?: { releaseRanges(networkId: string): Promise<void> };
  now?: () => number;
}

/** What one deploy or rollback writes: the version it becomes and how services change. */
interface Target {
  source: StackSource;
  rendered: StackSpec;
  desired: DesiredService[];
  networks: DesiredNetwork[];
  prune: boolean;
  /** `rollback_started` makes each changed service move through its rollback config. */
  state: 'updating' | 'rollback_started';
  rollbackOf?: number;
}

/**
 * Stacks: a named group of services deployed from compose files, kept on the server with its
 * source and rendered spec per version. A deploy is a diff: new services are created, changed
 * ones updated through the normal service update (their update config applies), unchanged ones
 * left alone, and the stack object written in the same commit as all of them, so a failure
 * leaves nothing half-deployed. Secrets and configs are written first (the only writes outside
 * that commit), after every check that could refuse the deploy.
 */
export class StackApi {
  private readonly store: Store;
  private readonly compose: StackCompose;
  private readonly serviceApi: ServiceApi;
  private readonly files: StackFiles | undefined;
  private readonly pinner: FileVersionPinner | undefined;
  private readonly networkRanges: StackApiOptions['networks'];
  private readonly now: () => number;

  constructor(options: StackApiOptions) {
    this.store = options.store;
    this.compose = options.compose;
    this.serviceApi = options.services;
    this.files = options.files;
    this.pinner = options.pinner;
    this.networkRanges = options.networks;
    this.now = options.now ?? Date.now;
  }

  async list(ctx: RequestContext): Promise<StackSummary[]> {
    const stacks = await this.store.list<StackObject>('stack', { env: ctx.env });
    return stacks.sort((a, b) => a.name.localeCompare(b.name)).map(stackSummary);
  }

  async get(ctx: RequestContext, name: string): Promise<StackInspect> {
    return stackInspectView(await this.resolve(ctx, name));
  }

  /** The stack's services with their replicas running and desired. */
  async services(ctx: RequestContext, name: string): Promise<ServiceView[]> {
    const stack = await this.resolve(ctx, name);
    return (await this.serviceApi.list(ctx)).filter((s) => s.stack === stack.name).sort((a, b) => a.name.localeCompare(b.name));
  }

  async tasks(ctx: RequestContext, name: string): Promise<TaskObject[]> {
    const stack = await this.resolve(ctx, name);
    const services = await this.stackServices(ctx.env, stack.name);
    const ids = new Set(services.map((s) => s.id));
    const tasks = taskViews((await this.store.list<TaskObject>('task', { env: ctx.env })).filter((t) => ids.has(t.serviceId)), services);
    return tasks.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || (a.slot ?? 0) - (b.slot ?? 0) || b.createdAt.localeCompare(a.createdAt));
  }

  /** `POST /v1/stacks` (name in the body) and `PUT /v1/stacks/:name`. */
  async deploy(ctx: RequestContext, pathName: string | undefined, body: unknown): Promise<StackDeployResult> {
    const input = parseOrThrow(deployStackSchema, body);
    const required = await this.compose.requiredInputs(input.files, input.envFile, { variables: input.variables, fileData: input.fileData });
    const wanted = new Set(required.variables);
    const variables = Object.fromEntries(Object.entries(input.variables).filter(([k]) => wanted.has(k)).sort(([a], [b]) => a.localeCompare(b)));
    const renderInput = { files: input.files, ...(input.envFile ? { envFile: input.envFile } : {}), variables, fileData: input.fileData };
    const raw = await this.compose.render(renderInput);
    const secretVariables = new Set(Object.values(raw.secrets).map((s) => s.environment).filter((v): v is string => v !== undefined));
    // Env entries a credential variable went into are listed in the spec's secretEnv: no view shows them.
    const allVariables = { ...((await this.compose.dotenvValues?.(renderInput)) ?? {}), ...variables };
    const rendered = markSecretEnv(raw, credentialValues(allVariables, secretVariables));
    const name = this.deployName(pathName, input.name, rendered.name);
    const desired = desiredServices(name, rendered);
    const networks = desiredNetworks(name, rendered);
    const { writes, externals } = stackFiles(name, rendered, input.fileData, variables);
    // Every check that can refuse the deploy runs before the first write.
    if ((writes.length > 0 || externals.length > 0) && !this.files) {
      throw new ShoalError('failed_precondition', 'this manager does not serve secrets and configs, which the stack uses');
    }
    // The route needs service:write; writing secrets and configs needs their own permission
    // too, or a deploy would let a restricted role create secrets.
    for (const w of writes) requirePermission(ctx, `${w.kind}:write`, `${w.kind}s.${w.short}`);
    for (const ext of externals) {
      if (!(await this.files?.exists(ctx, ext.kind, ext.name))) {
        const field = `${ext.kind}s.${ext.short}`;
        throw new ShoalError('invalid_argument', `${field}: external ${ext.kind} "${ext.name}" not found; create it first`, field);
      }
    }
    const envServices = await this.store.list<ServiceObject>('service', { env: ctx.env });
    const plan = planStack({ stack: name, desired, services: envServices, prune: input.prune });
    await this.authorizeHostAccess(ctx, plan);
    const after = servicesAfter(plan, envServices);
    planNetworks({ stack: name, env: ctx.env, desired: networks, networks: await this.store.list<NetworkObject>('network', { env: ctx.env }), servicesAfter: after });
    // The stack's own services last, so the refusal names the stack's port, not another's.
    const own = new Set(desired.map((d) => d.name));
    assertUniqueIngressPorts(ctx.env, [...after.filter((s) => !own.has(s.name)), ...after.filter((s) => own.has(s.name))], (s, i) => `services.${shortName(name, s)}.ports[${i}]`);
    await this.enforceQuotas(ctx.env, name, envServices, after);
    for (const w of writes) await this.files?.ensure(ctx, w.kind, w.name, w.data, { [stackLabel]: name });
    // A variable that is a secret's content is not kept: the stored source reaches the audit
    // history, which every role reads (a variable named like a password is redacted there, one
    // named otherwise would not be).
    const kept = Object.fromEntries(Object.entries(variables).filter(([k]) => !secretVariables.has(k)));
    const source: StackSource = { files: input.files, ...(input.envFile ? { envFile: input.envFile } : {}), variables: kept };
    return this.apply(ctx, name, { source, rendered, desired, networks, prune: input.prune, state: 'updating' });
  }

  /**
   * Deploys the previous version's rendered spec again: each changed service goes back through
   * its rollback config; services the previous version did not have are removed, those it had
   * and that are gone are created. The rollback is a new version whose source is the old one.
   * Secrets and configs keep their current content (their earlier content is not kept by the stack).
   */
  async rollback(ctx: RequestContext, name: string): Promise<StackDeployResult> {
    const stack = await this.resolve(ctx, name);
    const previous = stack.history.at(-1);
    if (!previous) throw new ShoalError('failed_precondition', `stack "${stack.name}" has no previous version to roll back to`);
    for (const f of stackFileRefs(stack.name, previous.rendered)) {
      if (!(await this.files?.exists(ctx, f.kind, f.name))) {
        throw new ShoalError('failed_precondition', `version ${previous.version} of stack "${stack.name}" uses ${f.kind} "${f.name}", which no longer exists; deploy the compose files instead`);
      }
    }
    const desired = desiredServices(stack.name, previous.rendered);
    const networks = desiredNetworks(stack.name, previous.rendered);
    return this.apply(ctx, stack.name, { source: previous.source, rendered: previous.rendered, desired, networks, prune: true, state: 'rollback_started', rollbackOf: stack.current.version });
  }

  /** Sets the replicas of some of the stack's services, in one commit; the stack's version stays. */
  async scale(ctx: RequestContext, name: string, body: unknown): Promise<ServiceView[]> {
    const input = parseOrThrow(scaleStackSchema, body);
    const stack = await this.resolve(ctx, name);
    await retryOnConflict(async () => {
      const envServices = await this.store.list<ServiceObject>('service', { env: ctx.env });
      const byShort = new Map(envServices.filter((s) => s.stack === stack.name).map((s) => [shortName(stack.name, s), s]));
      const time = this.time();
      const ops: Op[] = [];
      const scaled = new Map<string, ServiceObject>();
      for (const [short, replicas] of Object.entries(input.services)) {
        const field = `services.${short}`;
        const current = byShort.get(short);
        if (!current) throw new ShoalError('not_found', `${field}: stack "${stack.name}" has no service "${short}"`, field);
        if (current.spec.mode !== 'replicated') throw new ShoalError('failed_precondition', `${field}: service "${current.name}" is global; only replicated services scale`, field);
        if (current.spec.replicas === replicas) continue;
        const next = serviceWithSpec(current, { ...current.spec, replicas }, 'updating', time);
        scaled.set(next.id, next);
        ops.push({ op: 'put', kind: 'service', value: next, expectVersion: current.version });
      }
      const after = envServices.map((s) => scaled.get(s.id) ?? s);
      await enforceQuotas(this.store, { env: ctx.env, before: envServices, after, replicasField: (s) => `services.${shortName(stack.name, { name: s })}`, servicesField: 'services' });
      if (ops.length > 0) await this.store.commit(ops, { actor: ctx.actor });
    }).catch(conflictMessage);
    const names = new Set(Object.keys(input.services));
    return (await this.services(ctx, stack.name)).filter((s) => names.has(shortName(stack.name, s)));
  }

  /**
   * Removes the stack's services and the stack in one commit, then the secrets and configs the
   * stack created (one a service outside the stack still mounts is kept, and named).
   */
  async remove(ctx: RequestContext, name: string): Promise<{ name: string; services: string[]; removedFiles: string[]; keptFiles: string[]; removedNetworks: string[]; keptNetworks: string[] }> {
    // Checked before anything is removed, so a caller who may not remove the stack's secrets
    // does not leave it half removed.
    if (this.files) {
      const stack = await this.resolve(ctx, name);
      for (const kind of ['secret', 'config'] as const) {
        if ((await this.files.listLabelled(ctx, kind, stackLabel, stack.name)).length > 0) requirePermission(ctx, `${kind}:write`, `${kind}s`);
      }
    }
    const removed = await retryOnConflict(async () => {
      const stack = await this.resolve(ctx, name);
      const services = await this.stackServices(ctx.env, stack.name);
      // The stack's networks go in the same commit, but one a service outside the stack was
      // attached to stays (and is named): removing it would strand that service's tasks.
      const outside = (await this.store.list<ServiceObject>('service', { env: ctx.env })).filter((s) => s.stack !== stack.name);
      const removedNetworks: NetworkObject[] = [];
      const keptNetworks: string[] = [];
      for (const network of await this.stackNetworks(ctx.env, stack.name)) {
        const users = outside.filter((s) => attachedTo(network, s.spec)).map((s) => s.name).sort();
        if (users.length > 0) keptNetworks.push(`${network.name}: used by ${users.join(', ')}`);
        else removedNetworks.push(network);
      }
      const ops: Op[] = [
        ...services.flatMap((s): Op[] => [
          { op: 'delete', kind: 'service', id: s.id, expectVersion: s.version },
          { op: 'delete', kind: 'name-claim', id: claimId(s.env, s.name) },
        ]),
        ...removedNetworks.flatMap(networkDeleteOps),
        { op: 'delete', kind: 'stack', id: stack.id, expectVersion: stack.version },
      ];
      await this.store.commit(ops, { actor: ctx.actor });
      return { stack, services: services.map((s) => s.name).sort(), removedNetworks, keptNetworks };
    }).catch(conflictMessage);
    await this.releaseRanges(removed.removedNetworks);
    const removedFiles: string[] = [];
    const keptFiles: string[] = [];
    if (this.files) {
      for (const kind of ['secret', 'config'] as const) {
        for (const file of await this.files.listLabelled(ctx, kind, stackLabel, removed.stack.name)) {
          try {
            await this.files.remove(ctx, kind, file);
            removedFiles.push(`${kind}/${file}`);
          } catch (err) {
            if (!(err instanceof ShoalError) || err.code !== 'failed_precondition') throw err;
            keptFiles.push(`${kind}/${file}: ${err.message}`);
          }
        }
      }
    }
    return {
      name: removed.stack.name,
      services: removed.services,
      removedFiles,
      keptFiles,
      removedNetworks: removed.removedNetworks.map((n) => n.name).sort(),
      keptNetworks: removed.keptNetworks,
    };
  }

  /** Removing an environment (refused while services are left) takes its stacks in the same commit. */
  async environmentRemovalOps(env: string): Promise<Op[]> {
    return (await this.store.list<StackObject>('stack', { env })).map((s): Op => ({ op: 'delete', kind: 'stack', id: s.id, expectVersion: s.version }));
  }

  private async apply(ctx: RequestContext, name: string, target: Target): Promise<StackDeployResult> {
    const { result, removedNetworks } = await retryOnConflict(() => this.applyOnce(ctx, name, target)).catch(conflictMessage);
    await this.releaseRanges(removedNetworks);
    return result;
  }

  private async applyOnce(ctx: RequestContext, name: string, target: Target): Promise<{ result: StackDeployResult; removedNetworks: NetworkObject[] }> {
    const stack = await this.store.get<StackObject>('stack', stackId(ctx.env, name));
    const services = await this.store.list<ServiceObject>('service', { env: ctx.env });
    const plan = planStack({ stack: name, desired: target.desired, services, prune: target.prune });
    // Checked again on the plan this commit applies (a deploy checked before writing secrets; a
    // rollback's services are checked here only).
    await this.authorizeHostAccess(ctx, plan);
    const after = servicesAfter(plan, services);
    // Again on what is stored now: a deploy checked above may have raced another write.
    await this.enforceQuotas(ctx.env, name, services, after);
    const networkPlan = planNetworks({ stack: name, env: ctx.env, desired: target.networks, networks: await this.store.list<NetworkObject>('network', { env: ctx.env }), servicesAfter: after });
    const time = this.time();
    // Networks first in the commit: the services created with it attach to them.
    const ops: Op[] = networkPlan.create.flatMap((n) => networkCreateOps(newNetworkObject({ env: ctx.env, name: n.name, time, labels: n.labels, stack: name })));
    ops.push(...(await this.serviceOps(ctx, name, plan, target.state, time)));
    ops.push(...networkPlan.remove.flatMap(networkDeleteOps));
    const serviceNames = Object.fromEntries(
      [...target.desired.map((d): [string, string] => [d.short, d.name]), ...plan.kept.map((k): [string, string] => [k.short, k.current.name])].sort(([a], [b]) => a.localeCompare(b)),
    );
    const sameVersion =
      stack !== undefined &&
      target.rollbackOf === undefined &&
      isDeepStrictEqual(stack.current.source, target.source) &&
      isDeepStrictEqual(stack.current.rendered, target.rendered) &&
      isDeepStrictEqual(stack.current.services, serviceNames);
    let version = stack?.current.version ?? 0;
    if (!stack || !sameVersion || ops.length > 0) {
      if (!sameVersion) version += 1;
      const current: StackVersion = sameVersion
        ? stack.current
        : {
            version,
            deployedAt: time,
            deployedBy: ctx.actor,
            source: target.source,
            rendered: target.rendered,
            services: serviceNames,
            ...(target.rollbackOf !== undefined ? { rollbackOf: target.rollbackOf } : {}),
          };
      const next: StackObject = stack
        ? { ...stack, updatedAt: time, current, history: sameVersion ? stack.history : [...stack.history, stack.current].slice(-stackHistoryLimit) }
        : { id: stackId(ctx.env, name), env: ctx.env, version: 0, createdAt: time, updatedAt: time, name, current, history: [] };
      // The stack is written even when only services change: its version check makes two
      // deploys of one stack at once conflict instead of interleaving.
      ops.push(stack ? { op: 'put', kind: 'stack', value: next, expectVersion: stack.version } : { op: 'create', kind: 'stack', value: next });
      await this.store.commit(ops, { actor: ctx.actor });
    }
    const shorts = (list: { short: string }[]): string[] => list.map((e) => e.short);
    const kept = shorts(plan.kept);
    const result: StackDeployResult = {
      stack: name,
      version,
      created: shorts(plan.create),
      updated: shorts(plan.update),
      unchanged: shorts(plan.unchanged),
      removed: shorts(plan.remove),
      kept,
      warnings: [
        ...target.rendered.warnings,
        ...kept.map((k) => `service "${k}" is no longer in the compose files and was kept; deploy with prune to remove it`),
        ...networkPlan.kept.map((k) => `network "${k.network.name}" is no longer in the compose files and was kept: services ${k.users.join(', ')} still use it`),
      ],
      services: serviceNames,
    };
    return { result, removedNetworks: networkPlan.remove };
  }

  private async serviceOps(ctx: RequestContext, stack: string, plan: StackPlan, state: Target['state'], time: string): Promise<Op[]> {
    const ops: Op[] = [];
    for (const d of plan.create) {
      const service: ServiceObject = { id: newId(), env: ctx.env, version: 0, createdAt: time, updatedAt: time, name: d.name, stack, spec: d.spec, specVersion: 1 };
      await this.pin(service, `services.${d.short}`);
      const claim = { id: claimId(ctx.env, d.name), env: ctx.env, version: 0, objectId: service.id };
      ops.push({ op: 'create', kind: 'name-claim', value: claim }, { op: 'create', kind: 'service', value: service });
    }
    for (const u of plan.update) {
      const next = serviceWithSpec(u.current, u.desired.spec, state, time);
      await this.pin(next, `services.${u.short}`);
      ops.push({ op: 'put', kind: 'service', value: next, expectVersion: u.current.version });
    }
    for (const r of plan.remove) {
      ops.push({ op: 'delete', kind: 'service', id: r.current.id, expectVersion: r.current.version }, { op: 'delete', kind: 'name-claim', id: claimId(ctx.env, r.current.name) });
    }
    return ops;
  }

  /** The environment's quotas against its services as the deploy leaves them, naming the stack's fields. */
  private async enforceQuotas(env: string, stack: string, before: ServiceObject[], after: Pick<ServiceObject, 'name' | 'spec'>[]): Promise<void> {
    await enforceQuotas(this.store, { env, before, after, replicasField: (s) => `services.${shortName(stack, { name: s })}.replicas`, servicesField: 'services' });
  }

  /** The services a plan creates or changes, through the one host access check services also take. */
  private authorizeHostAccess(ctx: RequestContext, plan: StackPlan): Promise<void> {
    const volume = (short: string) => (index: number): string => `services.${short}.volumes[${index}]`;
    return authorizeHostAccess(this.store, ctx, [
      ...plan.create.map((c) => ({ after: c.spec, mountField: volume(c.short) })),
      ...plan.update.map((u) => ({ before: u.current.spec, after: u.desired.spec, mountField: volume(u.short) })),
    ]);
  }

  /** As ServiceApi does: the versions of the secrets and configs the spec mounts, for new tasks. */
  private async pin(service: ServiceObject, field: string): Promise<void> {
    if (!this.pinner) return;
    let pins: Record<string, number>;
    try {
      pins = await this.pinner.pin(service.env, service.spec);
    } catch (err) {
      // The pinner names the field of a service request (`spec.secrets[0].source`).
      if (err instanceof ShoalError && err.field) throw new ShoalError(err.code, `${field}.${err.message}`, `${field}.${err.field}`);
      throw err;
    }
    if (Object.keys(pins).length > 0) service.fileVersions = pins;
    else delete service.fileVersions;
  }

  /** The path's name, else the body's, else the compose files' top-level `name:`. */
  private deployName(pathName: string | undefined, bodyName: string | undefined, fileName: string | undefined): string {
    if (pathName !== undefined && bodyName !== undefined && pathName !== bodyName) {
      throw new ShoalError('invalid_argument', `name: "${bodyName}" differs from the stack named in the path ("${pathName}")`, 'name');
    }
    const name = pathName ?? bodyName ?? fileName;
    if (name === undefined) throw new ShoalError('invalid_argument', 'name: is required (or a top-level name: in the compose file)', 'name');
    return parseOrThrow(stackNameSchema, name, 'name');
  }

  private async resolve(ctx: RequestContext, name: string): Promise<StackObject> {
    const stack = await this.store.get<StackObject>('stack', stackId(ctx.env, name));
    if (!stack || stack.env !== ctx.env) throw new ShoalError('not_found', `stack "${name}" not found`);
    return stack;
  }

  private async stackNetworks(env: string, stack: string): Promise<NetworkObject[]> {
    return (await this.store.list<NetworkObject>('network', { env })).filter((n) => n.stack === stack);
  }

  /** After a commit that removed networks: their address ranges go back to their nodes' pools. */
  private async releaseRanges(networks: NetworkObject[]): Promise<void> {
    for (const n of networks) await this.networkRanges?.releaseRanges(n.id);
  }

  private async stackServices(env: string, stack: string): Promise<ServiceObject[]> {
    return (await this.store.list<ServiceObject>('service', { env })).filter((s) => s.stack === stack);
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }
}

/** Every service of the environment as it is once the plan is committed: what still uses a network. */
function servicesAfter(plan: StackPlan, services: readonly ServiceObject[]): Pick<ServiceObject, 'name' | 'spec'>[] {
  const planned = new Set([...plan.create.map((c) => c.name), ...[...plan.update, ...plan.unchanged, ...plan.remove, ...plan.kept].map((e) => e.current.name)]);
  return [
    ...services.filter((s) => !planned.has(s.name)),
    ...plan.create,
    ...plan.update.map((u) => u.desired),
    ...plan.unchanged.map((u) => u.current),
    ...plan.kept.map((k) => k.current),
  ];
}

function requirePermission(ctx: RequestContext, permission: Permission, field: string): void {
  if (callerHolds(ctx.caller, permission)) return;
  throw new ShoalError('permission_denied', `${field}: the stack writes ${permission.split(':')[0]}s, and ${ctx.caller?.role ? `role ${ctx.caller.role}` : 'the caller'} does not grant ${permission}`, field);
}

function conflictMessage(err: unknown): never {
  if (err instanceof ConflictError) throw new ShoalError('conflict', 'the stack or one of its services kept changing while this request ran; retry');
  throw err;
}
