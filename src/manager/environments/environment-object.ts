import type { EnvironmentQuotas } from '../../api/quotas.js';
import type { StoredObject } from '../store/store.js';
import type { Role } from '../auth/role-permissions.js';

/**
 * An environment (dev, test, prod...) as the store keeps it. Environments belong to the cluster
 * (`env` is the cluster scope, ''), their id is their name. Every node, service, task, API key
 * (and later stack, network, secret) carries the name of the environment it belongs to.
 */
export interface EnvironmentObject extends StoredObject {
  name: string;
  description?: string;
  /** Account id → the account's role in this environment. Administrators need no entry. */
  members: Record<string, Role>;
  /** Quotas an administrator set (`api/quotas.ts`); absent ones are the defaults. */
  quotas?: Partial<EnvironmentQuotas>;
  /**
   * Host path prefixes (normalized, see `auth/host-access.ts`) any caller who may write services
   * may bind; other binds need `host:mount`. Set by administrators (`environment-host-paths.ts`).
   */
  allowedHostPaths?: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
