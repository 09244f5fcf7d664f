import { specForView } from '../../api/hidden-env.js';
import type { StackSpec } from '../../api/stack-spec.js';
import type { StackInspect, StackSummary } from '../../api/stack-views.js';
import type { StackObject } from './stack-object.js';

/**
 * What the stack routes answer (shapes in src/api/stack-views.ts). The variables' values are
 * never among them (the `.env` file is named, not shown); the rendered spec shows env values
 * by the rule of every view (api/hidden-env.ts).
 */

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
    source: { files: c.source.files, ...(c.source.envFile ? { envFile: { name: c.source.envFile.name } } : {}), variables: Object.keys(c.source.variables).sort() },
    rendered: renderedForView(c.rendered),
    history: s.history.map((h) => ({ version: h.version, deployedAt: h.deployedAt, deployedBy: h.deployedBy, ...(h.rollbackOf !== undefined ? { rollbackOf: h.rollbackOf } : {}) })),
  };
}

function renderedForView(rendered: StackSpec): StackSpec {
  return { ...rendered, services: Object.fromEntries(Object.entries(rendered.services).map(([name, spec]) => [name, specForView(spec)])) };
}
