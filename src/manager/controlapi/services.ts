import { isDeepStrictEqual } from 'node:util';
import { ShoalError } from '../../api/errors.js';
import { restoreHiddenEnv, specForView } from '../../api/hidden-env.js';
import type { ServicePortsReadiness } from '../../api/ingress-status.js';
import type { NetworkObject } from '../../api/networks.js';
import type { NodeObject, ServiceObject, TaskObject, UpdateStatus } from '../../api/objects.js';
import { createServiceSchema, scaleServiceSchema, updateServiceSchema, type ServiceSpec } from '../../api/service-spec.js';
import { parseOrThrow } from '../../api/validation.js';
import { newId } from '../../lib/ids.js';
import { portsReadiness } from '../network-plan/ports-readiness.js';
import { checkNetworkTargets } from '../networks/network-targets.js';
import { checkIngressPorts } from './ingress-ports.js';
import { enforceQuotas } from './quotas.js';
import { ConflictError, type Op, type Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { resolveService } from './refs.js';
import { changesTasks } from './task-spec.js';
import { authorizeHostAccess } from './host-access-check.js';

/** Pins the secrets and configs a spec mounts (`secrets/file-pins.ts`); refuses missing ones naming the field. */
export interface FileVersionPinner {
  pin(env: string, spec: ServiceSpec): Promise<Record<string, number>>;
}

export interface ServiceView extends ServiceObject {
  /** `completed`: one-shot tasks that ended with exit 0 and that the restart policy keeps ended. */
  replicas: { running: number; desired: number; completed: number };
  /** For a service publishing ports in ingress mode: the nodes where they answer. */
  ports?: ServicePortsReadiness;
}

/** The name-claim id reserving a service name in an environment (stacks write claims in their own commits). */
export const claimId = (env: string, name: string): string => `service/${env}/${name}`;

export class ServiceApi {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
    private readonly files?: FileVersionPinner,
  ) {}

  async list(ctx: RequestContext, filter: { name?: string } = {}): Promise<ServiceView[]> {
    const services = await this.store.list<ServiceObject>('service', { env: ctx.env, ...(filter.name ? { where: { name: filter.name } } : {}) });
    const tasks = await this.store.list<TaskObject>('task', { env: ctx.env });
    const where = await this.whereIngressAnswers(ctx.env, services);
    return services.map((s) => this.view(s, tasks.filter((t) => t.serviceId === s.id), where));
  }

  async get(ctx: RequestContext, ref: string): Promise<ServiceView> {
    const service = await resolveService(this.store, ctx.env, ref);
    const tasks = await this.store.list<TaskObject>('task', { where: { serviceId: service.id } });
    return this.view(service, tasks, await this.whereIngressAnswers(ctx.env, [service]));
  }

  /** What telling whether ingress ports answer needs: only read when a service publishes one. */
  private async whereIngressAnswers(env: string, services: readonly ServiceObject[]): Promise<{ nodes: NodeObject[]; networks: NetworkObject[] } | undefined> {
    if (!services.some((s) => (s.spec.ports ?? []).some((p) => p.mode === 'ingress'))) return undefined;
    const [nodes, networks] = await Promise.all([this.store.list<NodeObject>('node', { env }), this.store.list<NetworkObject>('network', { env })]);
    return { nodes, networks };
  }

  private view(service: ServiceObject, tasks: TaskObject[], where: { nodes: NodeObject[]; networks: NetworkObject[] } | undefined): ServiceView {
    const view = withReplicas(service, tasks);
    const ports = where ? portsReadiness({ service, tasks, ...where }) : undefined;
    return ports ? { ...view, ports } : view;
  }

  async create(ctx: RequestContext, body: unknown): Promise<ServiceView> {
    const input = parseOrThrow(createServiceSchema, body);
    const time = new Date(this.now()).toISOString();
    const service: ServiceObject = {
      id: newId(),
      env: ctx.env,
      version: 0,
      createdAt: time,
      updatedAt: time,
      name: input.name,
      spec: restoreHiddenEnv(input.spec, undefined),
      specVersion: 1,
    };
    await authorizeHostAccess(this.store, ctx, [{ after: input.spec, mountField: specMount }]);
    await this.checkReferences(service, 'spec.replicas');
    const claim = { id: claimId(ctx.env, input.name), env: ctx.env, version: 0, objectId: service.id };
    try {
      await this.store.commit([
        { op: 'create', kind: 'name-claim', value: claim },
        { op: 'create', kind: 'service', value: service },
      ], { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('already_exists', `name: a service named "${input.name}" already exists`, 'name');
      throw err;
    }
    return this.get(ctx, service.id);
  }

  async update(ctx: RequestContext, ref: string, body: unknown): Promise<ServiceView> {
    const input = parseOrThrow(updateServiceSchema, body);
    const current = await resolveService(this.store, ctx.env, ref);
    refuseStaleVersion(current, input.version);
    refuseDuringUpgrade(current);
    return this.writeSpec(ctx, current, restoreHiddenEnv(input.spec, current.spec), 'updating', 'spec.replicas');
  }

  /**
   * Rancher's in-service upgrade: the old tasks stop but keep their containers (the
   * orchestrator's `in-service-upgrade.ts` does the task work) until `confirmUpgrade` removes
   * them or `rollbackUpgrade` starts the very same containers again.
   */
  async upgrade(ctx: RequestContext, ref: string, body: unknown): Promise<ServiceView> {
    const input = parseOrThrow(updateServiceSchema, body);
    const current = await resolveService(this.store, ctx.env, ref);
    refuseStaleVersion(current, input.version);
    refuseDuringUpgrade(current);
    input.spec = restoreHiddenEnv(input.spec, current.spec);
    if (current.spec.mode !== input.spec.mode) {
      throw new ShoalError('invalid_argument', `spec.mode: cannot change a ${current.spec.mode} service to ${input.spec.mode}; remove and create it`, 'spec.mode');
    }
    if (!changesTasks(current.spec, input.spec)) {
      throw new ShoalError('invalid_argument', 'spec: the upgrade changes nothing the tasks run (image, command, env, ...); use service update or scale', 'spec');
    }
    await authorizeHostAccess(this.store, ctx, [{ before: current.spec, after: input.spec, mountField: specMount }]);
    const time = new Date(this.now()).toISOString();
    const next = serviceWithSpec(current, input.spec, 'updating', time);
    await this.checkReferences(next, 'spec.replicas');
    next.upgrade = {
      state: 'upgrading',
      startedAt: time,
      previousSpec: current.spec,
      previousSpecVersion: current.specVersion,
      specVersion: next.specVersion,
      keptTaskIds: [],
      ...(current.fileVersions ? { previousFileVersions: current.fileVersions } : {}),
    };
    await this.commitOrConflict([{ op: 'put', kind: 'service', value: next, expectVersion: current.version }], ctx);
    return this.get(ctx, current.id);
  }

  /** Removes the containers an in-service upgrade kept; 409 when none is waiting. */
  async confirmUpgrade(ctx: RequestContext, ref: string): Promise<ServiceView> {
    return this.finishUpgrade(ctx, ref, 'confirming');
  }

  /** Goes back to the spec before the in-service upgrade, restarting the kept containers; 409 when none is waiting. */
  async rollbackUpgrade(ctx: RequestContext, ref: string): Promise<ServiceView> {
    return this.finishUpgrade(ctx, ref, 'rolling_back');
  }

  private async finishUpgrade(ctx: RequestContext, ref: string, state: 'confirming' | 'rolling_back'): Promise<ServiceView> {
    const current = await resolveService(this.store, ctx.env, ref);
    const upgrade = current.upgrade;
    if (!upgrade) throw new ShoalError('failed_precondition', `service "${current.name}" has no in-service upgrade to ${state === 'confirming' ? 'confirm' : 'roll back'}`);
    if (upgrade.state === 'confirming' || upgrade.state === 'rolling_back') {
      throw new ShoalError('failed_precondition', `the in-service upgrade of service "${current.name}" is already being ${upgrade.state === 'confirming' ? 'confirmed' : 'rolled back'}`);
    }
    // Going back runs the spec before the upgrade again: checked as any other change of it.
    if (state === 'rolling_back') {
      await authorizeHostAccess(this.store, ctx, [{ before: current.spec, after: upgrade.previousSpec, mountField: (i) => `previousSpec.mounts[${i}].source` }]);
    }
    const next: ServiceObject = { ...current, upgrade: { ...upgrade, state }, updatedAt: new Date(this.now()).toISOString() };
    await this.commitOrConflict([{ op: 'put', kind: 'service', value: next, expectVersion: current.version }], ctx);
    return this.get(ctx, current.id);
  }

  async scale(ctx: RequestContext, ref: string, body: unknown): Promise<ServiceView> {
    const { replicas } = parseOrThrow(scaleServiceSchema, body);
    const current = await resolveService(this.store, ctx.env, ref);
    if (current.spec.mode !== 'replicated') {
      throw new ShoalError('failed_precondition', `replicas: service "${current.name}" is global; only replicated services scale`, 'replicas');
    }
    return this.writeSpec(ctx, current, { ...current.spec, replicas }, 'updating', 'replicas');
  }

  async rollback(ctx: RequestContext, ref: string): Promise<ServiceView> {
    const current = await resolveService(this.store, ctx.env, ref);
    if (!current.previousSpec) {
      throw new ShoalError('failed_precondition', `service "${current.name}" has no previous spec to roll back to`);
    }
    refuseDuringUpgrade(current);
    return this.writeSpec(ctx, current, current.previousSpec, 'rollback_started', 'spec.replicas');
  }

  async remove(ctx: RequestContext, ref: string): Promise<{ id: string }> {
    const current = await resolveService(this.store, ctx.env, ref);
    const ops: Op[] = [
      { op: 'delete', kind: 'service', id: current.id, expectVersion: current.version },
      { op: 'delete', kind: 'name-claim', id: claimId(current.env, current.name) },
    ];
    await this.commitOrConflict(ops, ctx);
    return { id: current.id };
  }

  private async writeSpec(ctx: RequestContext, current: ServiceObject, spec: ServiceSpec, state: 'updating' | 'rollback_started', replicasField: string): Promise<ServiceView> {
    if (current.spec.mode !== spec.mode) {
      throw new ShoalError('invalid_argument', `spec.mode: cannot change a ${current.spec.mode} service to ${spec.mode}; remove and create it`, 'spec.mode');
    }
    if (isDeepStrictEqual(current.spec, spec) && state === 'updating') return this.get(ctx, current.id);
    const mountField = state === 'updating' ? specMount : (i: number): string => `previousSpec.mounts[${i}].source`;
    await authorizeHostAccess(this.store, ctx, [{ before: current.spec, after: spec, mountField }]);
    const next = serviceWithSpec(current, spec, state, new Date(this.now()).toISOString());
    await this.checkReferences(next, replicasField);
    await this.commitOrConflict([{ op: 'put', kind: 'service', value: next, expectVersion: current.version }], ctx);
    return this.get(ctx, current.id);
  }

  /**
   * Refuses networks the environment lacks and writes over the environment's quotas, and pins
   * the files: all before anything is stored.
   */
  private async checkReferences(service: ServiceObject, replicasField: string): Promise<void> {
    await checkNetworkTargets(this.store, service.env, service.spec);
    await checkIngressPorts(this.store, service);
    const before = await this.store.list<ServiceObject>('service', { env: service.env });
    const after = [...before.filter((s) => s.id !== service.id), service];
    await enforceQuotas(this.store, { env: service.env, before, after, replicasField: () => replicasField, servicesField: 'name' });
    await this.pinFiles(service);
  }

  /** Sets the current versions of what the spec mounts, which new tasks copy (none: no field). */
  private async pinFiles(service: ServiceObject): Promise<void> {
    const pins = this.files ? await this.files.pin(service.env, service.spec) : {};
    if (Object.keys(pins).length > 0) service.fileVersions = pins;
    else delete service.fileVersions;
  }

  private async commitOrConflict(ops: Op[], ctx: RequestContext): Promise<void> {
    try {
      await this.store.commit(ops, { actor: ctx.actor });
    } catch (err) {
      if (err instanceof ConflictError) throw new ShoalError('conflict', 'the service changed while this request ran; retry');
      throw err;
    }
  }
}

/** The request's field of a mount's source in `POST /v1/services` and `.../update`. */
const specMount = (index: number): string => `spec.mounts[${index}].source`;

/**
 * The service after a spec change, as `update` and `rollback` write it: a change that replaces
 * tasks starts a rollout (update or rollback config). Exported so a stack deploy can write the
 * changes of many services in one commit.
 */
export function serviceWithSpec(current: ServiceObject, spec: ServiceSpec, state: 'updating' | 'rollback_started', time: string): ServiceObject {
  const rollsTasks = changesTasks(current.spec, spec);
  if (rollsTasks) refuseDuringUpgrade(current);
  const next: ServiceObject = { ...current, spec, updatedAt: time };
  if (rollsTasks || state === 'rollback_started') {
    next.previousSpec = current.spec;
    next.specVersion = current.specVersion + (rollsTasks ? 1 : 0);
    const updateStatus: UpdateStatus = {
      state,
      startedAt: time,
      message: state === 'updating' ? 'update in progress' : 'rollback in progress',
      targetSpecVersion: next.specVersion,
    };
    next.updateStatus = rollsTasks ? updateStatus : { ...updateStatus, state: 'rollback_completed', completedAt: time, message: 'rollback completed' };
  }
  return next;
}

/** An update or upgrade that names the version it read is refused once the service moved on. */
function refuseStaleVersion(current: ServiceObject, version: number | undefined): void {
  if (version !== undefined && version !== current.version) {
    throw new ShoalError('conflict', `version: service changed since version ${version} (now ${current.version}); read it again and retry`, 'version');
  }
}

/**
 * While an in-service upgrade waits, another task change would mix a third spec into the
 * confirm/rollback decision; scaling is fine (it does not replace tasks).
 */
function refuseDuringUpgrade(current: ServiceObject): void {
  if (!current.upgrade) return;
  throw new ShoalError(
    'failed_precondition',
    `service "${current.name}" has an in-service upgrade waiting: run "shoal service upgrade --confirm ${current.name}" or "--rollback" first`,
  );
}

function withReplicas(service: ServiceObject, tasks: TaskObject[]): ServiceView {
  const live = tasks.filter((t) => t.desiredState === 'running');
  const running = live.filter((t) => t.status.state === 'running' && t.specVersion === service.specVersion).length;
  // A completed task still desired running is one its restart policy keeps ended: a done one-shot.
  const completed = live.filter((t) => t.status.state === 'complete' && t.specVersion === service.specVersion).length;
  const desired = service.spec.mode === 'replicated' ? service.spec.replicas : live.length;
  const hidden = service.spec.secretEnv ?? [];
  return {
    ...service,
    spec: specForView(service.spec),
    ...(service.previousSpec ? { previousSpec: specForView(service.previousSpec, hidden) } : {}),
    ...(service.upgrade ? { upgrade: { ...service.upgrade, previousSpec: specForView(service.upgrade.previousSpec, hidden) } } : {}),
    replicas: { running, desired, completed },
  };
}
