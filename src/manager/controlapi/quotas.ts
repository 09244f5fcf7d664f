import { ShoalError } from '../../api/errors.js';
import { limits } from '../../api/limits.js';
import type { ServiceObject } from '../../api/objects.js';
import { effectiveQuotas, quotaFlags, type EnvironmentQuotas } from '../../api/quotas.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import type { Store } from '../store/store.js';

type ServiceShape = Pick<ServiceObject, 'name' | 'spec'>;

export interface QuotaCheck {
  env: string;
  /** The environment's services as stored now. */
  before: readonly ServiceShape[];
  /** The environment's services as the write would leave them. */
  after: readonly ServiceShape[];
  /** How the request names a service's replicas (`spec.replicas`, `replicas`, `services.web.replicas`). */
  replicasField: (name: string) => string;
  /** How the request names the service it adds (`name`, `services`). */
  servicesField: string;
}

/**
 * The per-environment quotas, checked on every write of service specs (service create, update,
 * scale, rollback, upgrade; stack deploy, rollback, scale) against the environment as the write
 * leaves it. A write is refused only when it exceeds a quota *and* asks for more than is there
 * now, so an administrator who lowers a quota never blocks scaling down or removing.
 */
export async function enforceQuotas(store: Store, check: QuotaCheck): Promise<void> {
  const env = await store.get<EnvironmentObject>('environment', check.env);
  const quotas = effectiveQuotas(env?.quotas);
  const replicasBefore = new Map(check.before.map((s) => [s.name, replicasOf(s)]));
  for (const s of check.after) {
    const replicas = replicasOf(s);
    if (replicas > quotas.maxReplicasPerService && replicas > (replicasBefore.get(s.name) ?? 0)) {
      throw over(check.env, 'maxReplicasPerService', quotas, check.replicasField(s.name), `${replicas} replicas for service "${s.name}"`);
    }
  }
  if (check.after.length > quotas.maxServices && check.after.length > check.before.length) {
    throw over(check.env, 'maxServices', quotas, check.servicesField, `${check.after.length} services`);
  }
  const total = (list: readonly ServiceShape[]): number => list.reduce((sum, s) => sum + replicasOf(s), 0);
  const tasksAfter = total(check.after);
  if (tasksAfter > quotas.maxTasks && tasksAfter > total(check.before)) {
    const grown = check.after.find((s) => replicasOf(s) > (replicasBefore.get(s.name) ?? 0));
    throw over(check.env, 'maxTasks', quotas, grown ? check.replicasField(grown.name) : check.servicesField, `${tasksAfter} replicas in all`);
  }
}

/**
 * Replicas a service asks for: global services run one task per node, bounded by nodes, not by
 * the spec; a stored count beyond the hard limit is one the loops refuse to act on
 * (`orchestrator/unholdable.ts`), so it takes no share of the quota and blocks no other service.
 */
function replicasOf(s: ServiceShape): number {
  if (s.spec.mode !== 'replicated') return 0;
  const r = s.spec.replicas;
  return Number.isSafeInteger(r) && r >= 0 && r <= limits.replicasPerService ? r : 0;
}

function over(env: string, key: keyof EnvironmentQuotas, quotas: EnvironmentQuotas, field: string, asked: string): ShoalError {
  return new ShoalError(
    'resource_exhausted',
    `${field}: ${asked} would exceed the quota ${key} = ${quotas[key]} of environment "${env}"; an administrator can raise it with "shoal env update ${env} ${quotaFlags[key]} N"`,
    field,
  );
}
