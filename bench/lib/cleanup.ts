/**
 * Everything a benchmark creates (clusters, services, a swarm, temp dirs) registers how to undo
 * it here. Benchmarks undo their own in `finally`; on SIGINT/SIGTERM whatever is still
 * registered is undone, newest first, before the process exits.
 */
type Undo = () => Promise<void> | void;

const pending = new Map<number, { what: string; undo: Undo }>();
let next = 0;
let interrupted = false;

export function onCleanup(what: string, undo: Undo): () => Promise<void> {
  const id = next++;
  pending.set(id, { what, undo });
  return async () => {
    if (!pending.delete(id)) return;
    await undo();
  };
}

export async function cleanupAll(): Promise<void> {
  const entries = [...pending.entries()].reverse();
  for (const [id, { what, undo }] of entries) {
    pending.delete(id);
    try {
      await undo();
    } catch (err) {
      console.error(`bench: cleanup of ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export function isInterrupted(): boolean {
  return interrupted;
}

/** Called before starting anything new: after Ctrl-C nothing new is created. */
export function throwIfInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

export function installSignalHandlers(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      interrupted = true;
      console.error(`\nbench: ${sig}: cleaning up (${pending.size} item(s))...`);
      const force = setTimeout(() => process.exit(130), 60_000);
      void cleanupAll().finally(() => {
        clearTimeout(force);
        process.exit(130);
      });
    });
  }
}
