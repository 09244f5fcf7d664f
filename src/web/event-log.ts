import type { ShoalEvent } from '../api/events.js';

/**
 * The events this page has seen, newest first. The page keeps the latest `limit` for display;
 * the manager's own retention is what `shoal events --since` reads.
 */
export class EventLog {
  private readonly items: ShoalEvent[] = [];
  private seen = 0;

  constructor(readonly limit = 300) {}

  add(event: ShoalEvent): void {
    this.items.unshift(event);
    this.seen++;
    if (this.items.length > this.limit) this.items.length = this.limit;
  }

  /** Newest first. */
  list(): readonly ShoalEvent[] {
    return this.items;
  }

  /** How many events arrived in total, including those no longer kept here. */
  get total(): number {
    return this.seen;
  }
}
