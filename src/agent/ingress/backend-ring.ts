/**
 * Round robin over a service's backends. Each ring starts at a random position so that several
 * nodes receiving their first connections at once do not all send them to the same task.
 */
export class BackendRing {
  private backends: string[] = [];
  private next: number;

  constructor(backends: string[], random: () => number = Math.random) {
    this.next = Math.floor(random() * 0x10000);
    this.set(backends);
  }

  /** Keeps the position, so a change of backends does not restart the rotation at the first. */
  set(backends: string[]): void {
    this.backends = [...new Set(backends)];
  }

  /** The backends, in the order they were set. */
  list(): string[] {
    return [...this.backends];
  }

  get size(): number {
    return this.backends.length;
  }

  has(backend: string): boolean {
    return this.backends.includes(backend);
  }

  /** Every backend once, starting at the next in turn; the turn moves on by one per call. */
  order(): string[] {
    const n = this.backends.length;
    if (n === 0) return [];
    const start = this.next % n;
    this.next = (start + 1) % n;
    return [...this.backends.slice(start), ...this.backends.slice(0, start)];
  }
}
