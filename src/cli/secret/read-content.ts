import { readFile } from 'node:fs/promises';
import { ShoalError } from '../../api/errors.js';
import type { CliIo } from '../io.js';

/**
 * The content for `secret|config create|rotate NAME FILE|-`, as base64. `-` reads stdin (as
 * text: give binary content as a file), refused on a terminal so a secret is never typed
 * where it is echoed and kept in the scrollback.
 */
export async function readContent(source: string, io: CliIo): Promise<string> {
  if (source === '-') {
    if (io.stdinIsTTY || !io.readStdin) throw new ShoalError('invalid_argument', 'FILE: "-" reads the content from stdin; pipe it in (e.g. `printf %s "$PW" | shoal secret create db-pw -`)', 'FILE');
    return Buffer.from(await io.readStdin(), 'utf8').toString('base64');
  }
  try {
    return (await readFile(source)).toString('base64');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ShoalError('invalid_argument', `FILE "${source}": ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`}`, 'FILE');
  }
}
