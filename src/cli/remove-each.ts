import { reportError } from './errors.js';
import { CliExit } from './exit.js';
import type { CliIo } from './io.js';

/**
 * Runs `act` on each item as docker's `rm A B C` does: a failure is reported on its own line
 * and the rest still run; exit 1 at the end if any failed. Ctrl-C stops at once.
 */
export async function forEachReportingFailures(items: string[], io: CliIo, act: (item: string) => Promise<void>): Promise<void> {
  let failed = false;
  for (const item of items) {
    try {
      await act(item);
    } catch (err) {
      if (io.interrupt.aborted) throw err;
      reportError(err, io);
      failed = true;
    }
  }
  if (failed) throw new CliExit(1);
}

/** `rm A B C`: remove what can be removed, printing each name removed (see forEachReportingFailures). */
export async function removeEach(refs: string[], io: CliIo, remove: (ref: string) => Promise<unknown>): Promise<void> {
  await forEachReportingFailures(refs, io, async (ref) => {
    await remove(ref);
    io.out(`${ref}\n`);
  });
}
