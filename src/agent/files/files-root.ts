import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/** statfs(2) f_type of a tmpfs. */
const tmpfsMagic = 0x01021994;

/** Memory-backed places to try, in order: /run (root only) first, then /dev/shm. */
export const tmpfsCandidates = ['/run', '/dev/shm'];

export interface FilesRoot {
  /** Where task folders go: …/<nodeId>/tasks. */
  root: string;
  /** False when no usable tmpfs was found and the files live on the agent's data disk. */
  tmpfs: boolean;
}

async function isTmpfs(dir: string): Promise<boolean> {
  try {
    return (await statfs(dir)).type === tmpfsMagic;
  } catch {
    return false;
  }
}

/**
 * Claims `<base>/shoal` as the agent's own: created 0700, and refused when it is a link or
 * owned by another user (in a world-writable /dev/shm someone else could have made it first).
 */
async function claim(base: string): Promise<string | undefined> {
  try {
    await access(base, constants.W_OK);
    const dir = join(base, 'shoal');
    await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const st = await lstat(dir);
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return undefined;
    await chmod(dir, 0o700);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Where the agent writes secret and config files for its tasks: a tmpfs, so secrets never
 * reach a disk and vanish at reboot, at `/run/shoal/<nodeId>/tasks` (or /dev/shm/shoal/…);
 * otherwise `<dataDir>/task-files/<nodeId>/tasks` (folders 0700). One folder per agent id, so
 * agents sharing a host never prune each other's files.
 */
export async function chooseFilesRoot(dataDir: string, nodeId: string, candidates: readonly string[] = tmpfsCandidates): Promise<FilesRoot> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(nodeId)) throw new Error(`node id not usable as a folder name: ${JSON.stringify(nodeId)}`);
  for (const base of candidates) {
    if (!(await isTmpfs(base))) continue;
    const dir = await claim(base);
    if (dir) return { root: join(dir, nodeId, 'tasks'), tmpfs: true };
  }
  return { root: join(dataDir, 'task-files', nodeId, 'tasks'), tmpfs: false };
}
