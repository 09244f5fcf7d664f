import type { Diagnostics, Position } from './compose-error.js';
import type { Tree, TreeMap, TreeScalar, TreeSeq } from './yaml-tree.js';

/**
 * Typed reads of tree nodes that report a wrong type at the node's own line instead of
 * throwing, so rendering goes on and reports every problem. compose's schema allows numbers
 * and booleans to be written as strings (they are often interpolated): the reads accept both.
 */

export const quote = (value: unknown): string => {
  const text = JSON.stringify(typeof value === 'string' ? value : String(value));
  return text.length > 70 ? `${text.slice(0, 66)}…"` : text;
};

export function describe(node: Tree): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'empty';
  return `${typeof node.value === 'string' ? 'the string' : `the ${typeof node.value}`} ${quote(node.value)}`;
}

export const isExtension = (key: string): boolean => key.startsWith('x-');
export const isNull = (node: Tree | undefined): boolean => node === undefined || (node.kind === 'scalar' && node.value === null);

export class Reader {
  constructor(readonly diag: Diagnostics) {}

  private wrong(node: Tree, expected: string): undefined {
    this.diag.error(node.at, `must be ${expected}, not ${describe(node)}`);
    return undefined;
  }

  error(at: Position, message: string, sub?: string | number): void {
    this.diag.error(at, message, typeof sub === 'number' ? `[${sub}]` : sub);
  }

  warn(at: Position, message: string, sub?: string): void {
    this.diag.warn(at, message, sub);
  }

  map(node: Tree | undefined): TreeMap | undefined {
    if (!node) return undefined;
    return node.kind === 'map' ? node : this.wrong(node, 'a mapping');
  }

  /** A mapping, or empty (`key:` with no value) read as an empty mapping. */
  optionalMap(node: Tree | undefined): TreeMap | undefined {
    if (!node) return undefined;
    if (node.kind === 'scalar' && node.value === null) return { kind: 'map', entries: new Map(), at: node.at };
    return this.map(node);
  }

  seq(node: Tree | undefined): TreeSeq | undefined {
    if (!node) return undefined;
    return node.kind === 'seq' ? node : this.wrong(node, 'a list');
  }

  scalar(node: Tree | undefined): TreeScalar | undefined {
    if (!node) return undefined;
    return node.kind === 'scalar' ? node : this.wrong(node, 'a single value');
  }

  string(node: Tree | undefined): string | undefined {
    if (!node) return undefined;
    if (node.kind === 'scalar' && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    return this.wrong(node, 'a string');
  }

  int(node: Tree | undefined, min = 0): number | undefined {
    if (!node) return undefined;
    const v = node.kind === 'scalar' ? node.value : undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n)) return this.wrong(node, 'a whole number');
    if (n < min) {
      this.diag.error(node.at, `must be at least ${min}, not ${n}`);
      return undefined;
    }
    return n;
  }

  number(node: Tree | undefined): number | undefined {
    if (!node) return undefined;
    const v = node.kind === 'scalar' ? node.value : undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
    return Number.isFinite(n) ? n : this.wrong(node, 'a number');
  }

  bool(node: Tree | undefined): boolean | undefined {
    if (!node) return undefined;
    const v = node.kind === 'scalar' ? node.value : undefined;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.wrong(node, 'true or false');
  }

  /** A list of strings; with `orString`, a single string is a list of one. */
  strings(node: Tree | undefined, orString = false): string[] | undefined {
    if (!node) return undefined;
    if (orString && node.kind === 'scalar' && typeof node.value === 'string') return [node.value];
    const seq = this.seq(node);
    if (!seq) return undefined;
    const out: string[] = [];
    for (const item of seq.items) {
      const s = this.string(item);
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Reports keys outside `known` (extension keys `x-*` are always allowed). */
  checkKeys(map: TreeMap, known: readonly string[], what = 'key'): void {
    for (const [key, value] of map.entries) {
      if (isExtension(key) || known.includes(key)) continue;
      const near = closest(key, known);
      this.diag.error(value.at, `unknown ${what}${near ? ` (did you mean "${near}"?)` : ''}`);
    }
  }
}

/** The known key a typo most likely meant, if one is close enough. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
