import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The node id the manager gave this agent, kept in the data dir so that a restarted agent
 * comes back as the same node (and keeps its tasks) instead of joining as a new one.
 */
export class NodeIdFile {
  private readonly path: string;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'node-id');
  }

  async read(): Promise<string | undefined> {
    try {
      const id = (await readFile(this.path, 'utf8')).trim();
      return id === '' ? undefined : id;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Written through a temporary file so a crash never leaves half an id behind. */
  async write(id: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, `${id}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
