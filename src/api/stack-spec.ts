import type { ServiceSpecInput } from './service-spec.js';

/**
 * A compose file as Shoal renders it: what `src/compose/` produces from the source files and
 * variables, and what the stack keeps per version. Names inside it are the compose file's own
 * (short) names; the stack prefixes them when it deploys (`STACK_NAME`), as `docker stack` does,
 * unless a resource is `external`.
 */
export interface StackSpec {
  /** Compose service name → the service spec it becomes (references use short names). */
  services: Record<string, ServiceSpecInput>;
  volumes: Record<string, StackResource>;
  networks: Record<string, StackResource & { attachable?: boolean }>;
  secrets: Record<string, StackFileResource>;
  configs: Record<string, StackFileResource>;
  /** Keys Shoal ignores because ignoring them is safe, each as `file:line: key: why`. */
  warnings: string[];
}

export interface StackResource {
  /** Not created by the stack: must exist already, under `name` (default: the short name). */
  external: boolean;
  name?: string;
  driver?: string;
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
