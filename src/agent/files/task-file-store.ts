import { chmod, chown, lstat, mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TaskFileMount } from '../exec/executor.js';
import type { TaskFileContent } from './resolve-task-files.js';

/** Task ids come from the manager; only plain ones ever become a folder name. */
const safeTaskId = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * The node side of secret and config files: one folder per task under `root` (a tmpfs when
 * the node has one, see files-root.ts), mode 0700, owned by the agent. Each file is written
 * 0600 first, then given its owner and the reference's mode, so no moment exists where it is
 * readable by anyone else with the wrong owner. File names are positional (`secret-0`), never
 * derived from what the manager or user chose, so nothing can point outside the folder.
 */
export class TaskFileStore {
  private rootReady: Promise<void> | undefined;

  constructor(readonly root: string) {}

  /** The folder of one task's files. */
  taskDir(taskId: string): string {
    if (!safeTaskId.test(taskId)) throw new Error(`task id not usable as a folder name: ${JSON.stringify(taskId)}`);
    return join(this.root, taskId);
  }

  /** Writes the task's files (replacing any left by an earlier attempt) and says where they are. */
  async write(taskId: string, files: readonly TaskFileContent[]): Promise<TaskFileMount[]> {
    await this.ensureRoot();
    const dir = this.taskDir(taskId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o700);
    const mounts: TaskFileMount[] = [];
    for (const [i, f] of files.entries()) {
      const hostPath = join(dir, `${f.kind}-${i}`);
      await writeFile(hostPath, f.data, { mode: 0o600, flag: 'wx' });
      if (f.uid !== undefined || f.gid !== undefined) await chown(hostPath, f.uid ?? -1, f.gid ?? -1);
      await chmod(hostPath, f.mode);
      mounts.push({ hostPath, target: f.target });
    }
    return mounts;
  }

  /** Deletes the task's files; nothing there is not an error. */
  async remove(taskId: string): Promise<void> {
    if (!safeTaskId.test(taskId)) return;
    await rm(join(this.root, taskId), { recursive: true, force: true });
  }

  /** Deletes the files of every task not in `keep` (agent start: what no container uses). */
  async prune(keep: ReadonlySet<string>): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const gone = entries.filter((name) => !keep.has(name));
    for (const name of gone) await rm(join(this.root, name), { recursive: true, force: true });
    return gone;
  }

  /**
   * At agent stop: removes the root and the node folder above it when no task files are left,
   * so short-lived nodes leave nothing behind. Files of containers kept for adoption stay.
   */
  async tidy(): Promise<void> {
    for (const dir of [this.root, dirname(this.root)]) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
    }
    this.rootReady = undefined;
  }

  private ensureRoot(): Promise<void> {
    this.rootReady ??= (async () => {
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      const st = await lstat(this.root);
      if (!st.isDirectory()) throw new Error(`${this.root} is not a directory`);
      if (process.getuid && st.uid !== process.getuid()) throw new Error(`${this.root} is not owned by the agent's user`);
      await chmod(this.root, 0o700);
    })().catch((err: unknown) => {
      this.rootReady = undefined;
      throw err;
    });
    return this.rootReady;
  }
}
