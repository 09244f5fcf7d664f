import type { StoredFileVersion } from './file-object.js';

/** Versions kept besides those still pinned: enough to roll back a few rotations by hand. */
export const defaultKeptVersions = 5;

/**
 * The versions to keep: the newest `keep`, and any older one a service or a task still pins
 * (a task being replaced, or one an update paused on, must still get its files on a restart of
 * its agent). Oldest first, as stored.
 */
export function retainedVersions(versions: StoredFileVersion[], pinned: ReadonlySet<number>, keep = defaultKeptVersions): StoredFileVersion[] {
  const newest = new Set(versions.map((v) => v.version).sort((a, b) => b - a).slice(0, Math.max(1, keep)));
  return versions.filter((v) => newest.has(v.version) || pinned.has(v.version));
}
