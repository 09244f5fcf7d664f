import type { ServiceSpec } from '../../api/service-spec.js';

/**
 * The engine's Entrypoint and Cmd. `command` has always replaced the image's entrypoint, as
 * in Swarm (`args` its arguments); `entrypoint` (compose's) does the same and, when both are
 * given, `command` becomes the first arguments, so the container runs entrypoint + command +
 * args either way. Compose's `command` is meant for `args` (it replaces the image's CMD only).
 */
export function commandLine(spec: Pick<ServiceSpec, 'entrypoint' | 'command' | 'args'>): { entrypoint?: string[]; cmd?: string[] } {
  if (spec.entrypoint === undefined) {
    return { ...(spec.command !== undefined ? { entrypoint: spec.command } : {}), ...(spec.args !== undefined ? { cmd: spec.args } : {}) };
  }
  if (spec.command === undefined) return { entrypoint: spec.entrypoint, ...(spec.args !== undefined ? { cmd: spec.args } : {}) };
  return { entrypoint: spec.entrypoint, cmd: [...spec.command, ...(spec.args ?? [])] };
}
