import { reportError } from './errors.js';
import { CliExit } from './exit.js';
import type { CliIo } from './io.js';

/**
 * `rm A B C` as docker does it: remove what can be removed, print each name removed, report
 * each failure on its own line, and exit 1 at the end if any failed.
 */
export async function removeEach(refs: string[], io: CliIo, remove: (ref: string) => Promise<unknown>): Promise<void> {
  let failed = false;
  for (const ref of refs) {
    try {
      await remove(ref);
      io.out(`${ref}\n`);
    } catch (err) {
      if (io.interrupt.aborted) throw err;
      reportError(err, io);
      failed = true;
    }
  }
  if (failed) throw new CliExit(1);
}
