import type { StackInspect, StackSummary } from '../../api/stack-views.js';
import type { StackObject } from './stack-object.js';

/** What the stack routes answer (shapes in src/api/stack-views.ts). Variable values are never among them: they may be secrets. */

export function stackSummary(s: StackObject): StackSummary {
  return { name: s.name, version: s.current.version, services: Object.keys(s.current.services).length, deployedBy: s.current.deployedBy, updatedAt: s.updatedAt };
}

export function stackInspectView(s: StackObject): StackInspect {
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
