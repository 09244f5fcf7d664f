import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../lib/private-files.js';

/**
 * The node id the manager gave this agent, kept in the data dir so that a restarted agent
 * comes back as the same node (and keeps its tasks) instead of joining as a new one.
 */
export class NodeIdFile {
  private readonly path: string;

  static readonly fileName = 'node-id';

  constructor(dataDir: string) {
    this.path = join(dataDir, NodeIdFile.fileName);
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
    await writePrivateFile(this.path, `${id}\n`);
  }
}
