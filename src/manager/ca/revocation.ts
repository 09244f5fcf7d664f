import type { NodeObject } from '../../api/objects.js';
import { normalizeSerial } from '../../lib/pki/certificate-identity.js';
import type { Op, Store, StoredObject, WatchHandle } from '../store/store.js';

/**
 * Removed nodes, kept in the store so that every manager refuses them. Revocation is by node id
 * (ids are random and never reused, so this also covers certificates the node renewed) and by
 * serial. Entries are small and never pruned: one per removed node.
 */
export interface RevocationObject extends StoredObject {
  nodes: Record<string, { revokedAt: string; serials: string[] }>;
}

export const revocationsId = 'revocations';

export async function readRevocations(store: Store): Promise<RevocationObject | undefined> {
  return store.get<RevocationObject>('cluster', revocationsId);
}

/** The op that revokes a node, to commit together with its deletion. */
export function revokeNodeOp(current: RevocationObject | undefined, node: NodeObject, now: Date): Op {
  const value: RevocationObject = {
    id: revocationsId,
    env: 'default',
    version: current?.version ?? 0,
    nodes: { ...(current?.nodes ?? {}), [node.id]: { revokedAt: now.toISOString(), serials: node.certificate ? [normalizeSerial(node.certificate.serial)] : [] } },
  };
  return current ? { op: 'put', kind: 'cluster', value, expectVersion: current.version } : { op: 'create', kind: 'cluster', value };
}

/** An in-memory copy kept current by a store watch, so the TLS handshake checks it synchronously. */
export class RevocationList {
  private nodes = new Set<string>();
  private serials = new Set<string>();
  private watch: WatchHandle | undefined;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const revision = await this.store.revision();
    this.load(await readRevocations(this.store));
    this.watch = this.store.watch(revision, (batch) => {
      for (const c of batch.changes) {
        if (c.kind === 'cluster' && c.id === revocationsId) this.load(c.value as RevocationObject | undefined);
      }
    });
  }

  stop(): void {
    this.watch?.close();
  }

  isRevoked(nodeId: string, serial: string): boolean {
    return this.nodes.has(nodeId) || this.serials.has(normalizeSerial(serial));
  }

  private load(value: RevocationObject | undefined): void {
    const entries = Object.entries(value?.nodes ?? {});
    this.nodes = new Set(entries.map(([id]) => id));
    this.serials = new Set(entries.flatMap(([, e]) => e.serials.map(normalizeSerial)));
  }
}
