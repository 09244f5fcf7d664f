import type { NodeObject } from '../../api/objects.js';
import type { NodeInfo } from './node-info.js';

/**
 * Placement preferences `spread: node.labels.KEY`: tasks of a service are balanced across the
 * label's values first (nodes without the label form their own group), level by level when
 * several preferences are given, as swarmkit does.
 */
export class SpreadState {
  private readonly labelKeys: string[];
  /** Per level: group path → tasks of the service in that group. */
  private readonly counts: Map<string, number>[];
  private readonly paths = new Map<string, string[]>();

  constructor(
    preferences: readonly { spread: string }[],
    serviceId: string,
    nodes: Iterable<NodeInfo>,
  ) {
    this.labelKeys = preferences.map((p) => p.spread.slice('node.labels.'.length));
    this.counts = this.labelKeys.map(() => new Map<string, number>());
    for (const info of nodes) {
      const n = info.activeByService.get(serviceId) ?? 0;
      if (n > 0) this.add(info.node, n);
    }
  }

  get levels(): number {
    return this.labelKeys.length;
  }

  /** Tasks of the service in the node's group at this level; fewer is better. */
  load(node: NodeObject, level: number): number {
    return this.counts[level]?.get(this.pathOf(node)[level] ?? '') ?? 0;
  }

  /** The node's leaf in the spread tree: nodes of one leaf are interchangeable for spreading. */
  leafOf(node: NodeObject): string {
    return this.pathOf(node).at(-1) ?? '';
  }

  /** -1, 0 or 1 as the leaf of `a` holds fewer, as many or more of the service's tasks than `b`'s. */
  compare(a: NodeObject, b: NodeObject): number {
    for (let level = 0; level < this.levels; level++) {
      const d = this.load(a, level) - this.load(b, level);
      if (d !== 0) return Math.sign(d);
    }
    return 0;
  }

  add(node: NodeObject, n = 1): void {
    const path = this.pathOf(node);
    this.counts.forEach((m, level) => {
      const key = path[level] ?? '';
      m.set(key, (m.get(key) ?? 0) + n);
    });
  }

  private pathOf(node: NodeObject): string[] {
    let path = this.paths.get(node.id);
    if (!path) {
      path = [];
      let prefix = '';
      for (const key of this.labelKeys) {
        prefix += `\u0000${node.labels[key] ?? ''}`;
        path.push(prefix);
      }
      this.paths.set(node.id, path);
    }
    return path;
  }
}
