import { ShoalError } from '../../api/errors.js';
import type { ServiceSpec } from '../../api/service-spec.js';
import { hostAccessNeeds, hostAccessPermission } from '../auth/host-access.js';
import { callerHolds } from '../auth/role-permissions.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './request-context.js';
import { changesTasks } from './task-spec.js';

/** One service spec a request writes. */
export interface SpecWrite {
  /** The stored spec it replaces; none for a new service. */
  before?: ServiceSpec;
  after: ServiceSpec;
  /** The request's name for mount `index`, e.g. `spec.mounts[0].source` or `services.web.volumes[0]`. */
  mountField: (index: number) => string;
}

/**
 * The one check of host access, which every request that makes tasks run a spec passes through
 * (service create, update, upgrade, rollback; stack deploy and rollback), before anything is
 * stored. A write whose tasks run what they ran before (scale, update settings) is not checked:
 * it hands the caller nothing new. One that changes anything the tasks run is checked on the
 * whole resulting spec, so a caller cannot swap the image under a bind an owner made. What needs
 * host access is `hostAccessNeeds` (the spec and the environment's allowed host paths); whether
 * the caller has it is the roles table's `host:mount`.
 */
export async function authorizeHostAccess(store: Store, ctx: RequestContext, writes: readonly SpecWrite[]): Promise<void> {
  if (callerHolds(ctx.caller, hostAccessPermission)) return;
  const checked = writes.filter((w) => w.after.mounts.some((m) => m.type === 'bind') && changesTasks(w.before, w.after));
  if (checked.length === 0) return;
  const allowed = (await store.get<EnvironmentObject>('environment', ctx.env))?.allowedHostPaths ?? [];
  for (const write of checked) {
    const need = hostAccessNeeds(write.after, allowed)[0];
    if (!need) continue;
    const field = write.mountField(need.index);
    const who = ctx.caller?.role ? `role ${ctx.caller.role}` : 'a caller without a role';
    const paths = allowed.length > 0 ? `it allows binds under ${allowed.join(', ')} only` : 'it allows no host paths';
    throw new ShoalError(
      'permission_denied',
      `${field}: binding host path "${need.path}" needs permission ${hostAccessPermission}, which ${who} does not grant in environment "${ctx.env}" (${paths}; an administrator can allow more)`,
      field,
    );
  }
}
