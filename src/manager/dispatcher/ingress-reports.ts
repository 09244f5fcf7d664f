import { isDeepStrictEqual } from 'node:util';
import type { IngressPortError, IngressPortStatus, NodeIngressStatus } from '../../api/ingress-status.js';
import type { NodeObject } from '../../api/objects.js';
import type { Logger } from '../../lib/logger.js';
import { ConflictError, type Store } from '../store/store.js';

export interface IngressReport {
  ports: IngressPortStatus[];
  errors: IngressPortError[];
}

/**
 * Keeps what each node's agent says its ingress proxy serves in `node.status.ingress`, where
 * any manager reads whether a service's published ports answer. Only the newest report of a
 * node is written (reports follow plans, which come in bursts), one write per node at a time,
 * and nothing when it did not change. Not an event, not an audit entry: like a heartbeat, it is
 * no change anyone made.
 */
export class IngressReports {
  private readonly latest = new Map<string, IngressReport>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(nodeId: string, report: IngressReport): void {
    this.latest.set(nodeId, normalized(report));
    if (!this.writing.has(nodeId)) this.start(nodeId);
  }

  /** Resolves when every report received so far is written (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private start(nodeId: string): void {
    const run = (async () => {
      for (let report = this.take(nodeId); report; report = this.take(nodeId)) {
        try {
          await this.write(nodeId, report);
        } catch (err) {
          // The next plan the node applies reports again.
          this.logger.warn({ err, nodeId }, 'could not record the node\'s ingress report');
        }
      }
    })();
    this.writing.set(nodeId, run);
    void run.finally(() => {
      this.writing.delete(nodeId);
      // A report that came between the last take and now.
      if (this.latest.has(nodeId)) this.start(nodeId);
    });
  }

  private take(nodeId: string): IngressReport | undefined {
    const report = this.latest.get(nodeId);
    this.latest.delete(nodeId);
    return report;
  }

  private async write(nodeId: string, report: IngressReport): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const node = await this.store.get<NodeObject>('node', nodeId);
      // A node whose agent runs no ingress (or a removed node) has nothing to record.
      const current = node?.status.ingress;
      if (!node || !current) return;
      if (current.reportedAt !== undefined && isDeepStrictEqual({ ports: current.ports, errors: current.errors }, report)) return;
      const ingress: NodeIngressStatus = { ...report, reportedAt: new Date(this.now()).toISOString() };
      const value: NodeObject = { ...node, status: { ...node.status, ingress } };
      try {
        await this.store.commit([{ op: 'put', kind: 'node', expectVersion: node.version, value }], { actor: `node:${nodeId}` });
        return;
      } catch (err) {
        // The node changed meanwhile (a heartbeat check, an update): read it again.
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
      }
    }
  }
}

/** Sorted, so an unchanged proxy compares equal whatever order the agent listed it in. */
function normalized(report: IngressReport): IngressReport {
  const byPort = (a: { port: number; protocol: string }, b: { port: number; protocol: string }): number => a.port - b.port || a.protocol.localeCompare(b.protocol);
  return {
    ports: report.ports.map((p) => ({ protocol: p.protocol, port: p.port, backends: [...p.backends].sort() })).sort(byPort),
    errors: report.errors.map((e) => ({ protocol: e.protocol, port: e.port, message: e.message })).sort(byPort),
  };
}
