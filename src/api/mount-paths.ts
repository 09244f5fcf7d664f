import { controlChars } from './bounded.js';
import { limits } from './limits.js';

/**
 * The sources a mount may name. A named volume is a name the engine keeps (never a path: `..`
 * or `/` would reach outside the engine's volume folder with some drivers); a bind source is an
 * absolute host path in normal form, so what an allow-list or a reader sees is the path that
 * is mounted (`/srv/../etc` is not `/srv/...`).
 */

/** Docker's volume name grammar, bounded. */
export const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function volumeNameProblem(source: string): string | undefined {
  if (source.length > limits.shortTextLength) return `must be at most ${limits.shortTextLength} characters`;
  if (!volumeNamePattern.test(source)) return 'a volume name must be letters, digits, "_", "." or "-", starting with a letter or digit (no "/" or "..")';
  return undefined;
}

/** Why `path` is not an absolute path in normal form (no "." or ".." segments, no "//"). */
export function absolutePathProblem(path: string): string | undefined {
  if (path.length > limits.pathLength) return `must be at most ${limits.pathLength} characters`;
  if (controlChars.test(path)) return 'must not contain control characters (newline, NUL, ...)';
  if (!path.startsWith('/')) return 'must be an absolute path';
  if (path === '/') return undefined;
  const segments = path.replace(/\/$/, '').split('/').slice(1);
  if (segments.some((s) => s === '..')) return 'must not contain ".." segments';
  if (segments.some((s) => s === '' || s === '.')) return 'must be in normal form (no "//" or "." segments)';
  return undefined;
}
