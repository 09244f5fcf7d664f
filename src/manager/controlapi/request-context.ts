import type { CallerView, Role } from '../../api/access-views.js';

/** Who is calling and in which environment; authentication fills it, every operation takes it. */
export interface RequestContext {
  actor: string;
  env: string;
  /** The checked credential's owner; absent on public routes and when the manager runs open (no auth). */
  caller?: Caller;
}

/** The API's view of the caller (what `/v1/whoami` shows), plus what only the manager uses. */
export interface Caller extends CallerView {
  /** An environment API key's one environment and its role there; it has no role anywhere else. */
  envKey?: { env: string; role: Role };
  /** The personal API key an account caller authenticated with (absent for sessions). */
  accessKey?: string;
}
