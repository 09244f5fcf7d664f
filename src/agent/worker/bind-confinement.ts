import { realpath as fsRealpath } from 'node:fs/promises';
import { isUnderHostPath, normalizeHostPath } from '../../api/host-paths.js';
import type { MountSpec } from '../../api/service-spec.js';

/**
 * The manager lets callers without `host:mount` bind paths under the environment's allowed host
 * paths, judging the text of the path. A container that binds an allowed folder read-write can
 * put a symbolic link there (`/srv/data/x -> /`), and the engine would follow it. So every bind
 * whose path lies under an allowed one is resolved on the node and must stay under it (the
 * allowed folder itself resolved too); the resolved path is what the engine is given, so a link
 * swapped in after this check is not followed again. Binds outside every allowed path were made
 * by an owner (`host:mount`) and are left as they are. Returns the mounts to use, or why not.
 */
export async function confineBinds(mounts: readonly MountSpec[], allowed: readonly string[], realpath: (path: string) => Promise<string> = fsRealpath): Promise<MountSpec[] | string> {
  const out: MountSpec[] = [];
  for (const m of mounts) {
    const path = m.type === 'bind' ? normalizeHostPath(m.source ?? '') : undefined;
    const covering = path === undefined ? [] : allowed.filter((a) => isUnderHostPath(path, a));
    if (path === undefined || covering.length === 0) {
      out.push(m);
      continue;
    }
    const real = await realpath(path).catch(() => undefined);
    if (real === undefined) return `bind source "${path}" does not exist on this node`;
    let inside = false;
    for (const a of covering) {
      const realAllowed = await realpath(a).catch(() => undefined);
      if (realAllowed !== undefined && isUnderHostPath(real, realAllowed)) inside = true;
    }
    if (!inside) return `bind source "${path}" resolves to "${real}", outside the allowed host path ${covering.map((a) => `"${a}"`).join(', ')} (a symbolic link); only owners bind paths outside it`;
    out.push({ ...m, source: real });
  }
  return out;
}
