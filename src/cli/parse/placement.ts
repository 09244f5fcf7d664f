import { parseConstraint } from '../../api/constraint.js';
import { ParseError } from './parse-error.js';

/** Checks a --constraint with the same rules the manager applies, and returns its text. */
export function parseConstraintFlag(text: string): string {
  const parsed = parseConstraint(text);
  if (typeof parsed === 'string') throw new ParseError(parsed);
  return text.trim();
}

/** Two constraint texts that say the same thing ("a==b" and "a == b"). */
export function sameConstraint(a: string, b: string): boolean {
  const pa = parseConstraint(a);
  const pb = parseConstraint(b);
  if (typeof pa === 'string' || typeof pb === 'string') return a.trim() === b.trim();
  return pa.key === pb.key && pa.operator === pb.operator && pa.value === pb.value;
}

/** `spread=node.labels.KEY`, the only placement preference docker has. */
export function parsePlacementPref(text: string): { spread: string } {
  const m = /^\s*spread\s*=\s*(node\.labels\.[A-Za-z0-9_.\-/]+)\s*$/.exec(text);
  if (!m?.[1]) throw new ParseError(`"${text}" is not a placement preference (use spread=node.labels.KEY)`);
  return { spread: m[1] };
}
