/**
 * What the agent's resolver needs to know of the cluster, in the shape the caller (the agent,
 * fed by the manager's assignments) builds it. Kept free of store types so the resolver can be
 * tested and benchmarked on its own.
 */

export interface DnsTaskView {
  id: string;
  /** The task's own name (`taskName()` of src/api/objects.ts), answered as a name of its own. */
  name: string;
  /** The task's address on its network, once it has one. */
  ip?: string;
  running: boolean;
  /** The caller decides: a task without a health check counts healthy while it runs. */
  healthy: boolean;
}

export interface DnsServiceView {
  /**
   * The name inside the stack for a stack service (the compose file's key, `db`), the service
   * name otherwise. The environment-wide name of a stack service, `STACK_db`, is answered too.
   */
  name: string;
  stack?: string;
  env: string;
  tasks: DnsTaskView[];
  /** Network aliases from the compose file: answered like the service name, in the same scope. */
  aliases: string[];
}

export interface DnsView {
  services: DnsServiceView[];
}

/** Who asks: known from the source address of the query (a task's address). */
export interface DnsClient {
  env: string;
  stack?: string;
  /** The task whose container asked; undefined for a client the caller added by hand. */
  taskId?: string;
}

/**
 * - `records`: a name of ours (possibly with no running and healthy task: then an empty answer);
 * - `nxdomain`: under `shoal.internal` but nothing the client may see;
 * - `forward`: not ours, ask the host's resolver.
 */
export type DnsResolution = { kind: 'records'; ips: string[] } | { kind: 'nxdomain' } | { kind: 'forward' };

/** The zone every Shoal name lives under: `SERVICE.STACK.ENV.shoal.internal`. */
export const shoalZone = 'shoal.internal';
