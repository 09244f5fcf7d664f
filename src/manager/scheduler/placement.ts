import type { Constraint, ConstraintSubject } from '../../api/constraint.js';
import { constraintMatches, parseConstraint } from '../../api/constraint.js';
import type { NodeObject } from '../../api/objects.js';

/** What constraints read from a node; platform comes from the engine the agent reported. */
export function constraintSubject(node: NodeObject): ConstraintSubject {
  return {
    id: node.id,
    hostname: node.hostname,
    role: node.role,
    labels: node.labels,
    os: node.engine.os,
    arch: node.engine.arch,
  };
}

const parsedCache = new Map<string, Constraint[]>();

/**
 * Parsed constraints, cached by text because every task of a service carries the same list.
 * Malformed ones (the API rejects them, so only old data) become a constraint no node meets,
 * which keeps such tasks visibly pending instead of placed against the user's intent.
 */
export function parseConstraints(texts: readonly string[]): Constraint[] {
  const key = texts.join('\u0000');
  let out = parsedCache.get(key);
  if (!out) {
    out = texts.map((text) => {
      const c = parseConstraint(text);
      return typeof c === 'string' ? { key: 'node.id', operator: '==' as const, value: '\u0000', text } : c;
    });
    if (parsedCache.size > 10_000) parsedCache.clear();
    parsedCache.set(key, out);
  }
  return out;
}

export function satisfiesAll(node: NodeObject, constraints: readonly Constraint[]): boolean {
  if (constraints.length === 0) return true;
  const subject = constraintSubject(node);
  return constraints.every((c) => constraintMatches(c, subject));
}
