import type { StackSourceFile, StackSpec } from '../../api/stack-spec.js';

/** Previous versions a stack keeps for rollback and inspection. */
export const stackHistoryLimit = 10;

/** What the client sent to render one version: enough to see (and render) it again. */
export interface StackSource {
  files: StackSourceFile[];
  envFile?: StackSourceFile;
  /**
   * Only the variables the files reference, less those that give a secret its content. Their
   * values are never returned by the API.
   */
  variables: Record<string, string>;
}

/** One deployed version of a stack. */
export interface StackVersion {
  version: number;
  deployedAt: string;
  /** The actor (account or key) that deployed it. */
  deployedBy: string;
  source: StackSource;
  rendered: StackSpec;
  /** Compose service name → the full service name (`STACK_SERVICE`). */
  services: Record<string, string>;
  /** Set on a version made by `rollback`: the version it rolled back from. */
  rollbackOf?: number;
}

/**
 * A stack as the store keeps it (kind `stack`, one per name in an environment; the id is
 * `ENV/NAME`, so a create of a second one with the name conflicts in the store itself).
 */
export interface StackObject {
  id: string;
  env: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  name: string;
  current: StackVersion;
  /** Earlier versions, oldest first, at most `stackHistoryLimit`. */
  history: StackVersion[];
}

export const stackId = (env: string, name: string): string => `${env}/${name}`;
