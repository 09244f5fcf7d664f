/**
 * When each node was last heard from, and which are late. A manager whose own event loop
 * stalled (a loaded machine, a long pause) could not read the heartbeats that arrived meanwhile:
 * they wait in its sockets, and the timer that checks lateness may run before them. So the time
 * the manager itself was stalled is not held against the nodes: each check that comes later
 * than it should moves every node's last sighting forward by the delay. A node whose agent is
 * really gone is still late once the manager runs normally again.
 */
export class HeartbeatWatch {
  private readonly lastSeen = new Map<string, number>();
  private lastCheck: number;
  private since: number;

  constructor(
    private readonly graceMs: number,
    /** How often `tick` is called. */
    private readonly checkEveryMs: number,
    now: number,
  ) {
    this.lastCheck = now;
    // Nodes not heard from since the manager started count from its start.
    this.since = now;
  }

  seen(nodeId: string, now: number): void {
    this.lastSeen.set(nodeId, now);
  }

  forget(nodeId: string): void {
    this.lastSeen.delete(nodeId);
  }

  /** Silence of the node as this manager could observe it. */
  silentMs(nodeId: string, now: number): number {
    return now - (this.lastSeen.get(nodeId) ?? this.since);
  }

  /**
   * Called every `checkEveryMs`, before `isLate`: a call that comes later than that (by more
   * than a third of the grace period) means the manager itself was stalled for the difference.
   */
  tick(now: number): void {
    const stalledMs = now - this.lastCheck - this.checkEveryMs;
    this.lastCheck = now;
    if (stalledMs <= this.graceMs / 3) return;
    for (const [id, t] of this.lastSeen) this.lastSeen.set(id, t + stalledMs);
    this.since += stalledMs;
  }

  /** Silent for longer than the grace period. */
  isLate(nodeId: string, now: number): boolean {
    return this.silentMs(nodeId, now) > this.graceMs;
  }
}
