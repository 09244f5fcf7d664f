import type { Role } from '../auth/role-permissions.js';

/** Who is calling and in which environment; authentication fills it, every operation takes it. */
export interface RequestContext {
  actor: string;
  env: string;
  /** The checked credential's owner; absent on public routes and when the manager runs open (no auth). */
  caller?: Caller;
}

export interface Caller {
  /** A personal API key's caller is its account: it acts with the account's admin flag and roles. */
  type: 'account' | 'apikey';
  /** Account id or access key. */
  id: string;
  /** Username or key name. */
  name: string;
  admin: boolean;
  /** Role in the request's environment, if any. */
  role?: Role;
  /** An environment API key's one environment and its role there; it has no role anywhere else. */
  envKey?: { env: string; role: Role };
  /** The personal API key an account caller authenticated with (absent for sessions). */
  accessKey?: string;
}
