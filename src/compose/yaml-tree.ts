import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { StackSourceFile } from '../api/stack-spec.js';
import { join, type Diagnostics, type Position } from './compose-error.js';

/**
 * A compose file as a plain tree whose every node knows where it came from. Aliases are
 * expanded and merge keys (`<<`) applied here, so later steps never see YAML's own structure;
 * an expanded alias keeps the lines of its anchor (where the text is) and the path of its use.
 */
export type Tree = TreeMap | TreeSeq | TreeScalar;
export type ScalarValue = string | number | boolean | null;

interface TreeBase {
  at: Position;
  /** compose's merge tags for override files: `!reset` removes a value, `!override` replaces it. */
  tag?: 'reset' | 'override';
}
export interface TreeMap extends TreeBase {
  kind: 'map';
  entries: Map<string, Tree>;
  /** A list (ports, volumes, secrets, configs) held by its compose uniqueness key while files merge. */
  keyed?: boolean;
}
export interface TreeSeq extends TreeBase {
  kind: 'seq';
  items: Tree[];
}
export interface TreeScalar extends TreeBase {
  kind: 'scalar';
  value: ScalarValue;
  /** The text as written (for octal modes such as `0440`, which YAML 1.2 reads as 440). */
  source?: string;
}

/** Alias expansion can multiply a small file ("billion laughs"): past this many nodes it stops. */
const maxNodes = 100_000;
const maxDepth = 64;

/** Parses one file; YAML errors are reported (with their line) and give undefined. */
export function parseTree(file: StackSourceFile, diag: Diagnostics): Tree | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.content, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diag.error({ file: file.name, line: lineOf(e.pos[0]), path: '' }, `invalid YAML: ${e.message}`);
    return undefined;
  }
  if (doc.contents === null) return undefined;
  const state = { count: 0, tooBig: false };
  const convert = (node: unknown, path: string, keyLine: number | undefined, depth: number): Tree | undefined => {
    if (state.tooBig) return undefined;
    if (++state.count > maxNodes || depth > maxDepth) {
      state.tooBig = true;
      diag.error({ file: file.name, line: keyLine ?? 1, path }, `the file expands to too many nodes (more than ${maxNodes}, or nested deeper than ${maxDepth}): check its aliases`);
      return undefined;
    }
    if (isAlias(node)) return convert(node.resolve(doc), path, keyLine, depth + 1);
    const yamlNode = node as YamlNode | null | undefined;
    const line = lineOf(yamlNode?.range?.[0]);
    const tag = yamlNode?.tag === '!reset' ? 'reset' : yamlNode?.tag === '!override' ? 'override' : undefined;
    const base = (at: number): TreeBase => ({ at: { file: file.name, line: at, path }, ...(tag ? { tag } : {}) });
    if (isMap(node)) {
      const entries = new Map<string, Tree>();
      const merges: unknown[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key;
        const kLine = isScalar(keyNode) || isAlias(keyNode) ? lineOf((keyNode as YamlNode).range?.[0]) : line;
        if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
          diag.error({ file: file.name, line: kLine, path }, 'keys must be plain strings');
          continue;
        }
        const key = typeof keyNode.value === 'string' ? keyNode.value : JSON.stringify(keyNode.value);
        if (key === '<<' && keyNode.type === 'PLAIN') {
          merges.push(pair.value);
          continue;
        }
        const child = convert(pair.value, join(path, key), kLine, depth + 1);
        if (child) entries.set(key, child);
        else if (pair.value === null || pair.value === undefined) entries.set(key, { kind: 'scalar', value: null, at: { file: file.name, line: kLine, path: join(path, key) } });
      }
      // Merge keys: explicit keys win, then earlier sources over later ones (YAML's merge rule).
      for (const source of merges) {
        const sources = isSeq(source) ? source.items : [source];
        for (const s of sources) {
          const merged = convert(s, path, line, depth + 1);
          if (!merged) continue;
          if (merged.kind !== 'map') {
            diag.error(merged.at, '"<<" must name a mapping (an alias to one, or a list of them)');
            continue;
          }
          for (const [k, v] of merged.entries) if (!entries.has(k)) entries.set(k, v);
        }
      }
      return { kind: 'map', entries, ...base(keyLine ?? line) };
    }
    if (isSeq(node)) {
      const items: Tree[] = [];
      node.items.forEach((item, i) => {
        const child = convert(item, join(path, i), lineOf((item as YamlNode | null)?.range?.[0]), depth + 1);
        if (child) items.push(child);
        else if (item === null) items.push({ kind: 'scalar', value: null, at: { file: file.name, line, path: join(path, i) } });
      });
      return { kind: 'seq', items, ...base(keyLine ?? line) };
    }
    if (isScalar(node)) {
      const v = node.value;
      const value: ScalarValue =
        v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : typeof v === 'bigint' ? Number(v) : JSON.stringify(v);
      return { kind: 'scalar', value, ...(node.source !== undefined ? { source: node.source } : {}), ...base(line) };
    }
    return undefined;
  };
  return convert(doc.contents, '', 1, 0);
}
