import type { Diagnostics } from './compose-error.js';
import { interpolate, newExpansionBudget, referencedVariables, type Lookup } from './interpolate.js';
import { isExtension } from './tree-read.js';
import type { Tree } from './yaml-tree.js';

/**
 * Interpolates every string value of a file's tree in place, as compose does before merging
 * files. Extension keys (`x-*`) are left alone, except Shoal's own `x-shoal`: they are not
 * read, so a variable they name need not be set. An unset variable without a default becomes
 * "" with one warning per variable; a malformed template or `${X:?msg}` is an error there.
 */
export function interpolateTree(tree: Tree, lookup: Lookup, diag: Diagnostics, warned: Set<string>): void {
  // One budget for the file: many values each repeating a large variable add up.
  const budget = newExpansionBudget();
  walkStrings(tree, (node) => {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    const result = interpolate(node.value, lookup, budget);
    if (!result.ok) {
      diag.error(node.at, result.message);
      return;
    }
    for (const name of result.missing) {
      if (warned.has(name)) continue;
      warned.add(name);
      diag.warn(node.at, `variable ${name} is not set: using an empty string`);
    }
    node.value = result.value;
  });
}

/** Every variable the tree's values name; malformed templates are left for rendering to report. */
export function treeVariables(tree: Tree, into: Set<string>): void {
  walkStrings(tree, (node) => {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    const names = referencedVariables(node.value);
    if (typeof names !== 'string') names.forEach((n) => into.add(n));
  });
}

function walkStrings(tree: Tree, visit: (node: Tree & { kind: 'scalar' }) => void): void {
  if (tree.kind === 'scalar') visit(tree);
  else if (tree.kind === 'seq') tree.items.forEach((item) => walkStrings(item, visit));
  else {
    for (const [key, value] of tree.entries) {
      if (isExtension(key) && key !== 'x-shoal') continue;
      walkStrings(value, visit);
    }
  }
}
