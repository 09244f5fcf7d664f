import { isUnderHostPath, normalizeHostPath } from '../../api/host-paths.js';
import type { MountSpec } from '../../api/service-spec.js';

/**
 * What of a service spec reaches the host it runs on, and so needs the `host:mount` permission.
 * Only bind mounts do: the spec has no privileged mode, host network or PID namespace, devices or
 * capabilities (the compose renderer refuses them), volumes always use the engine's `local`
 * driver without options (which refuses a path as a volume name), secrets and configs are files
 * the agent writes, and published ports only listen (see docs/SECURITY.md, "Host access").
 */
export const hostAccessPermission = 'host:mount' as const;

/** A bind mount of a spec that the environment's allowed host paths do not cover. */
export interface HostAccessNeed {
  /** Index in `spec.mounts`. */
  index: number;
  /** The source as the spec has it. */
  path: string;
}

/**
 * The bind mounts of `spec` that are outside every allowed host path (normalized paths, as the
 * environment stores them): what a caller needs `host:mount` for. Empty: anyone who may write
 * services may write this spec.
 */
export function hostAccessNeeds(spec: { mounts: readonly MountSpec[] }, allowedHostPaths: readonly string[]): HostAccessNeed[] {
  return spec.mounts.flatMap((m, index): HostAccessNeed[] => {
    if (m.type !== 'bind') return [];
    const source = m.source ?? '';
    const path = normalizeHostPath(source);
    if (path !== undefined && allowedHostPaths.some((allowed) => isUnderHostPath(path, allowed))) return [];
    return [{ index, path: source }];
  });
}
