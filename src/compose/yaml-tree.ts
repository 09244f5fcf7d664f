import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { StackSourceFile } from '../api/stack-spec.js';
import { join, type Diagnostics, type Position } from './compose-error.js';
import { composeLimits } from './compose-limits.js';

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

/**
 * Parses one file; YAML errors are reported (with their line) and give undefined.
 *
 * Linear in the file plus its expansion: every alias is resolved to its anchor in one pass over
 * the document (the YAML library's own `resolve` walks the whole document per alias, so a file
 * of 12,000 aliases took minutes), expansion is bounded in aliases, nodes, depth and characters
 * (`composeLimits`), and duplicate keys are found with a set (the library compares each key with
 * every earlier one). `stats`, when given, counts the nodes built, for tests.
 */
export function parseTree(file: StackSourceFile, diag: Diagnostics, stats?: { nodes: number }): Tree | undefined {
  const at = (line: number, path = ''): Position => ({ file: file.name, line, path });
  const depth = flowDepth(file.content);
  if (depth.max > maxFlowDepth) {
    diag.error(at(depth.line), `invalid YAML: brackets nested deeper than ${maxFlowDepth} levels`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.content, { lineCounter, prettyErrors: false, uniqueKeys: false, version: '1.2' });
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line;
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diag.error(at(lineOf(e.pos[0])), `invalid YAML: ${e.message}`);
    return undefined;
  }
  if (doc.contents === null) return undefined;
  const targets = aliasTargets(doc.contents, (node, message) => diag.error(at(lineOf(node.range?.[0])), message));
  if (!targets) return undefined;
  const state = { count: 0, chars: 0, tooBig: false };
  const stop = (line: number, path: string, message: string): undefined => {
    state.tooBig = true;
    diag.error(at(line, path), message);
    return undefined;
  };
  const convert = (node: unknown, path: string, keyLine: number | undefined, depth: number): Tree | undefined => {
    if (state.tooBig) return undefined;
    if (stats) stats.nodes++;
    if (isAlias(node)) {
      const target = targets.get(node);
      return target ? convert(target, path, keyLine, depth) : undefined;
    }
    if (++state.count > composeLimits.nodes) return stop(keyLine ?? 1, path, `the file expands to more than ${composeLimits.nodes} nodes: check its aliases`);
    if (depth > composeLimits.depth) return stop(keyLine ?? 1, path, `the file is nested deeper than ${composeLimits.depth} levels (aliases expanded)`);
    const yamlNode = node as YamlNode | null | undefined;
    const line = lineOf(yamlNode?.range?.[0]);
    const tag = yamlNode?.tag === '!reset' ? 'reset' : yamlNode?.tag === '!override' ? 'override' : undefined;
    const base = (at: number): TreeBase => ({ at: { file: file.name, line: at, path }, ...(tag ? { tag } : {}) });
    if (isMap(node)) {
      const entries = new Map<string, Tree>();
      const keys = new Set<string>();
      const merges: unknown[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key;
        const kLine = isScalar(keyNode) || isAlias(keyNode) ? lineOf((keyNode as YamlNode).range?.[0]) : line;
        if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
          diag.error(at(kLine, path), 'keys must be plain strings');
          continue;
        }
        const key = typeof keyNode.value === 'string' ? keyNode.value : JSON.stringify(keyNode.value);
        if (key === '<<' && keyNode.type === 'PLAIN') {
          merges.push(pair.value);
          continue;
        }
        if (keys.has(key)) {
          diag.error(at(kLine), 'invalid YAML: Map keys must be unique');
          continue;
        }
        keys.add(key);
        const child = convert(pair.value, join(path, key), kLine, depth + 1);
        if (child) entries.set(key, child);
        else if (pair.value === null || pair.value === undefined) entries.set(key, { kind: 'scalar', value: null, at: at(kLine, join(path, key)) });
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
        else if (item === null) items.push({ kind: 'scalar', value: null, at: at(line, join(path, i)) });
      });
      return { kind: 'seq', items, ...base(keyLine ?? line) };
    }
    if (isScalar(node)) {
      const v = node.value;
      const value: ScalarValue =
        v === null || v === undefined ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : typeof v === 'bigint' ? Number(v) : JSON.stringify(v);
      if (typeof value === 'string' && (state.chars += value.length) > composeLimits.expandedChars) {
        return stop(line, path, `the file's values expand to more than ${composeLimits.expandedChars} characters: check its aliases`);
      }
      return { kind: 'scalar', value, ...(node.source !== undefined ? { source: node.source } : {}), ...base(line) };
    }
    return undefined;
  };
  return convert(doc.contents, '', 1, 0);
}

/**
 * Each alias's node, found in one walk in document order (an alias names the last anchor of
 * that name before it). Refuses more than `composeLimits.aliases` aliases, an alias naming no
 * anchor and an alias inside the node it names (a cycle); undefined when any was found.
 */
function aliasTargets(root: unknown, error: (node: YamlNode, message: string) => void): Map<unknown, YamlNode> | undefined {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<unknown, YamlNode>();
  const open = new Set<YamlNode>();
  let count = 0;
  let ok = true;
  const walk = (node: unknown, depth: number): void => {
    if (!ok || node === null || node === undefined || depth > composeLimits.depth + 1) return;
    if (isAlias(node)) {
      if (++count > composeLimits.aliases) {
        error(node, `the file has more than ${composeLimits.aliases} aliases ("*name"), the limit`);
        ok = false;
        return;
      }
      const target = anchors.get(node.source);
      if (!target) error(node, `invalid YAML: alias "*${node.source}" names no anchor ("&${node.source}") before it`);
      else if (open.has(target)) error(node, `invalid YAML: alias "*${node.source}" is inside the node it names`);
      else targets.set(node, target);
      ok &&= target !== undefined && !open.has(target);
      return;
    }
    const n = node as YamlNode;
    if (n.anchor) anchors.set(n.anchor, n);
    if (isMap(node) || isSeq(node)) {
      open.add(n);
      for (const item of node.items) {
        if (isPair(item)) {
          walk(item.key, depth + 1);
          walk(item.value, depth + 1);
        } else walk(item, depth + 1);
      }
      open.delete(n);
    }
  };
  walk(root, 0);
  return ok ? targets : undefined;
}

/**
 * The deepest nesting of flow brackets (`[`, `{`) outside quotes and comments, and its line:
 * checked before the YAML library parses, whose recursion over thousands of brackets takes
 * seconds before it fails.
 */
export function flowDepth(text: string): { max: number; line: number } {
  let depth = 0;
  let max = 0;
  let line = 1;
  let maxLine = 1;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === "'" && quote === "'" && text[i + 1] === "'") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    const before = i === 0 ? ' ' : (text[i - 1] as string);
    if (c === '#' && /\s/.test(before)) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
    } else if ((c === '"' || c === "'") && /[\s[{,:-]/.test(before)) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > max) {
        max = depth;
        maxLine = line;
      }
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return { max, line: maxLine };
}

/** Far above any compose file's nesting (`composeLimits.depth` is checked on the tree), far below where parsing gets slow. */
const maxFlowDepth = 256;
