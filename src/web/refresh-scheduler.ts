/**
 * Coalesces refresh requests: a burst of events becomes one reload after `delayMs`, and reloads
 * never overlap (a request during a reload runs one more after it), so an older answer can
 * never be drawn over a newer one.
 */
export class RefreshScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly delayMs = 250,
  ) {}

  /** Reload soon (debounced). */
  request(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, this.delayMs);
  }

  /** Reload now; resolves when the data on screen is at least as new as this call. */
  now(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.run();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    };
    this.running = loop();
    return this.running;
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
