import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from './logger.js';

// Data dirs hold the store (password hashes, audit history, stack sources), keys and tokens:
// folders 0700 and files 0600. A mode given at creation can only lose bits to the umask, never
// gain any, so new folders and files are made with these modes; existing ones are closed with
// chmod (`closeDataDir`), since an older version or a person may have made them open.
const dirMode = 0o700;
const fileMode = 0o600;

/** Makes `dir` and its missing parents, each 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: dirMode });
}

/** Creates `path` empty and 0600 unless it exists (its folders 0700), so a library that opens it later (SQLite, the log) never makes it 0644. */
export function createPrivateFile(path: string): void {
  makePrivateDir(dirname(path));
  closeSync(openSync(path, 'a', fileMode));
}

/**
 * Writes through a temporary file renamed over `path`, so a crash never leaves half a file; the
 * file is 0600 from birth (chmod too: a temporary file left by a crash keeps its old mode).
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: dirMode });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { mode: fileMode });
    await chmod(tmp, fileMode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A path `closeDataDir` made owner-only, with the mode it had. */
export interface ClosedPath {
  path: string;
  mode: number;
}

/**
 * At start: makes `dir` if missing and closes what others could read in it: the folder itself,
 * then either every folder and file below it (`'all'`: the manager's data dir, where everything
 * is private) or only the named files (the agent's, whose resolv.conf files and task files are
 * mounted into containers with their own modes). Links are left alone.
 */
export function closeDataDir(dir: string, contents: 'all' | readonly string[]): ClosedPath[] {
  makePrivateDir(dir);
  const closed: ClosedPath[] = [];
  const close = (path: string, mode: number): void => {
    let st;
    try {
      st = lstatSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (!st.isDirectory() && !st.isFile()) return;
    const was = st.mode & 0o777;
    if ((was & 0o077) !== 0) {
      chmodSync(path, mode);
      closed.push({ path, mode: was });
    }
    if (st.isDirectory() && contents === 'all') {
      for (const name of readdirSync(path)) close(join(path, name), lstatSync(join(path, name)).isDirectory() ? dirMode : fileMode);
    }
  };
  close(dir, dirMode);
  if (contents !== 'all') for (const name of contents) close(join(dir, name), fileMode);
  return closed;
}

/** Says, once per start, which paths of a data dir were open to other users and are now closed. */
export function logClosedPaths(logger: Logger, closed: readonly ClosedPath[]): void {
  if (closed.length === 0) return;
  logger.warn({ paths: closed.map((c) => `${c.path} (was 0${c.mode.toString(8)})`) }, 'data dir: folders and files other users could read are now owner-only (0700, 0600)');
}
