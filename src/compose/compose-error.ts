import { ShoalError } from '../api/errors.js';
import { composeLimits } from './compose-limits.js';

/** Where something is in the compose source: the file, the 1-based line and the key path. */
export interface Position {
  file: string;
  line: number;
  /** The key path as the file spells it, e.g. `services.web.ports[0]`; empty for the file itself. */
  path: string;
}

/** One thing wrong with the compose files. */
export interface ComposeProblem extends Position {
  message: string;
}

/** `compose.yaml:14: services.web.ports[0]: "80:abc" is not a valid port`. */
export function formatAt(at: Position, message: string): string {
  return at.path ? `${at.file}:${at.line}: ${at.path}: ${message}` : `${at.file}:${at.line}: ${message}`;
}

/**
 * Every problem found in a set of compose files, one per line in the message (the first
 * `composeLimits.problems` of them, then how many more). It is an
 * invalid_argument ShoalError so the API answers 400 with the whole list, without a mapping of
 * its own; `problems` keeps each one apart for callers that show them differently.
 */
export class ComposeError extends ShoalError {
  readonly problems: readonly ComposeProblem[];

  constructor(problems: ComposeProblem[]) {
    const shown = problems.slice(0, composeLimits.problems).map((p) => formatAt(p, p.message));
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems`);
    super('invalid_argument', shown.join('\n'), problems[0]?.path || undefined);
    this.name = 'ComposeError';
    this.problems = problems;
  }
}

/**
 * Collects problems and warnings while rendering, so one pass reports everything that is wrong
 * instead of stopping at the first mistake.
 */
export class Diagnostics {
  readonly problems: ComposeProblem[] = [];
  readonly warnings: string[] = [];
  private readonly seen = new Set<string>();

  /** Keeps the first problem of each key at each line: a second one there is its consequence. */
  error(at: Position, message: string, subPath?: string): void {
    const problem = { ...at, path: join(at.path, subPath), message };
    const key = `${problem.file}\0${problem.line}\0${problem.path}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push(problem);
  }

  warn(at: Position, message: string, subPath?: string): void {
    const text = formatAt({ ...at, path: join(at.path, subPath) }, message);
    if (this.seen.has(text)) return;
    this.seen.add(text);
    this.warnings.push(text);
  }

  /** Throws the problems found so far, if any, ordered by file (as given) and line. */
  throwIfAny(fileOrder: string[]): void {
    if (this.problems.length === 0) return;
    const rank = (file: string): number => {
      const i = fileOrder.indexOf(file);
      return i < 0 ? fileOrder.length : i;
    };
    const sorted = [...this.problems].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line);
    throw new ComposeError(sorted);
  }
}

/** Appends a key (`.key`) or an index (`[0]`) to a path. */
export function join(path: string, sub: string | number | undefined): string {
  if (sub === undefined || sub === '') return path;
  if (typeof sub === 'number') return `${path}[${sub}]`;
  if (sub.startsWith('[') || sub.startsWith('.')) return `${path}${sub}`;
  return path ? `${path}.${sub}` : sub;
}
