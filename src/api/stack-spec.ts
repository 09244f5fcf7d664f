import type { ServiceSpecInput } from './service-spec.js';

/**
 * A compose file as Shoal renders it: what `src/compose/` produces from the source files and
 * variables, and what the stack keeps per version. Names inside it are the compose file's own
 * (short) names; the stack prefixes them when it deploys (`STACK_NAME`), as `docker stack` does,
 * unless a resource is `external`.
 */
export interface StackSpec {
  /** The compose file's top-level `name:` (compose's project name): a default stack name. */
  name?: string;
  /** Compose service name → the service spec it becomes (references use short names). */
  services: Record<string, ServiceSpecInput>;
  /**
   * Compose service name → the networks it joins (short names) and its aliases on each. Kept
   * beside the service specs because a service spec has no networks yet. A service that names
   * no networks joins `default`, which is then in `networks` even if the file does not declare it.
   * Always set by `src/compose`; optional only so hand-built specs (tests) may leave it out.
   */
  serviceNetworks?: Record<string, Record<string, { aliases: string[] }>>;
  volumes: Record<string, StackResource>;
  networks: Record<string, StackResource & { attachable?: boolean; internal?: boolean }>;
  secrets: Record<string, StackFileResource>;
  configs: Record<string, StackFileResource>;
  /**
   * What the author should know but that does not stop the deploy, each as `file:line: key: why`:
   * keys Shoal ignores because ignoring them is safe, unset variables, services left out by profiles.
   */
  warnings: string[];
}

export interface StackResource {
  /** Not created by the stack: must exist already, under `name` (default: the short name). */
  external: boolean;
  /** compose `name:`: for an external resource, the name it exists under. */
  name?: string;
  driver?: string;
  /** compose `driver_opts` (e.g. an NFS volume's `type`, `o`, `device`). */
  driverOptions?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface StackFileResource extends StackResource {
  /** compose `file:`, relative to the compose file: the client sends its bytes along. */
  file?: string;
  /** compose `environment:`: the value of this variable is the content. */
  environment?: string;
  /** compose `content:` (configs). */
  content?: string;
}

/** One source file of a stack, as the client read it. */
export interface StackSourceFile {
  /** The name shown in errors (as given to `-c`, e.g. `compose.yaml`). */
  name: string;
  content: string;
}
