/** Resolves on the first Ctrl-C / SIGTERM (the CLI turns both into this abort signal). */
export function waitForInterrupt(signal: AbortSignal): Promise<void> {
  return new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
}
