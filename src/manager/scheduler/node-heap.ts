import type { NodeScore } from './scoring.js';
import { isBetter } from './scoring.js';

/** A binary min-heap of node scores, best node on top. */
export class NodeHeap {
  private readonly items: NodeScore[] = [];

  constructor(items: Iterable<NodeScore> = []) {
    for (const s of items) this.push(s);
  }

  get size(): number {
    return this.items.length;
  }

  peek(): NodeScore | undefined {
    return this.items[0];
  }

  push(s: NodeScore): void {
    const items = this.items;
    items.push(s);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as NodeScore;
      if (!isBetter(s, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = s;
  }

  pop(): NodeScore | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const r = l + 1;
      const child = r < items.length && isBetter(items[r] as NodeScore, items[l] as NodeScore) ? r : l;
      const c = items[child] as NodeScore;
      if (!isBetter(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
