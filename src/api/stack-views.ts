import type { StackSourceFile, StackSpec } from './stack-spec.js';

/** Requests and answers of the `/v1/stacks` routes, shared by the manager and the client. */

export interface DeployStackRequest {
  /** Required by `POST /v1/stacks`; `deployStack(name, ...)` sends it in the path. */
  name?: string;
  /** The compose files, in merge order; `name` is what errors show (`compose.yaml:14: ...`). */
  files: StackSourceFile[];
  envFile?: StackSourceFile;
  /** Values of the variables the files reference (send only those: see `requiredInputs`). */
  variables?: Record<string, string>;
  /** Files the compose files reference (env_file, secret and config `file:`): base64 by relative path. */
  fileData?: Record<string, string>;
  /** Remove the stack's services the files no longer have. */
  prune?: boolean;
}

/** What a deploy or rollback did, by compose service name. */
export interface StackDeployResult {
  stack: string;
  /** The stack's version now (a deploy that changed nothing keeps it). */
  version: number;
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  /** Services no longer in the files, kept because `prune` was not set. */
  kept: string[];
  warnings: string[];
  /** Compose service name → full service name (`STACK_SERVICE`). */
  services: Record<string, string>;
}

export interface StackSummary {
  name: string;
  version: number;
  services: number;
  deployedBy: string;
  updatedAt: string;
}

export interface StackInspect {
  id: string;
  env: string;
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  deployedAt: string;
  deployedBy: string;
  /** Set when this version was made by a rollback: the version it rolled back from. */
  rollbackOf?: number;
  services: Record<string, string>;
  /** The variables' names only, and the `.env` file's name only: their values may be secrets. */
  source: { files: StackSourceFile[]; envFile?: { name: string }; variables: string[] };
  /** Hidden env values (named like credentials, or listed in `secretEnv`) are `[redacted]`. */
  rendered: StackSpec;
  history: { version: number; deployedAt: string; deployedBy: string; rollbackOf?: number }[];
}

export interface RemoveStackResponse {
  name: string;
  services: string[];
  /** `secret/NAME`, `config/NAME`. */
  removedFiles: string[];
  /** Secrets and configs the stack made that a service outside it still mounts, with why. */
  keptFiles: string[];
}
