import type { StackSourceFile, StackSpec } from '../../api/stack-spec.js';
import type { StackObject } from './stack-object.js';

/** What the stack routes answer. Variable values are never among them: they may be secrets. */

export interface StackSummary {
  name: string;
  /** The deploy counter of the current version. */
  version: number;
  services: number;
  deployedBy: string;
  updatedAt: string;
}

export interface StackInspectView {
  id: string;
  env: string;
  name: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  deployedAt: string;
  deployedBy: string;
  rollbackOf?: number;
  services: Record<string, string>;
  source: { files: StackSourceFile[]; envFile?: StackSourceFile; variables: string[] };
  rendered: StackSpec;
  history: { version: number; deployedAt: string; deployedBy: string; rollbackOf?: number }[];
}

/** What a deploy or rollback did, per compose service name. */
export interface StackDeployResult {
  stack: string;
  version: number;
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  kept: string[];
  warnings: string[];
  /** Compose service name → full service name, for every service of the stack now. */
  services: Record<string, string>;
}

export function stackSummary(s: StackObject): StackSummary {
  return { name: s.name, version: s.current.version, services: Object.keys(s.current.services).length, deployedBy: s.current.deployedBy, updatedAt: s.updatedAt };
}

export function stackInspectView(s: StackObject): StackInspectView {
  const c = s.current;
  return {
    id: s.id,
    env: s.env,
    name: s.name,
    version: c.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    deployedAt: c.deployedAt,
    deployedBy: c.deployedBy,
    ...(c.rollbackOf !== undefined ? { rollbackOf: c.rollbackOf } : {}),
    services: c.services,
    source: { files: c.source.files, ...(c.source.envFile ? { envFile: c.source.envFile } : {}), variables: Object.keys(c.source.variables).sort() },
    rendered: c.rendered,
    history: s.history.map((h) => ({ version: h.version, deployedAt: h.deployedAt, deployedBy: h.deployedBy, ...(h.rollbackOf !== undefined ? { rollbackOf: h.rollbackOf } : {}) })),
  };
}
