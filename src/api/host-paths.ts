/** Host paths as the host access rules compare them (manager) and the CLI edits lists of them. */

/**
 * `path` with repeated `/`, `.` segments and a trailing `/` removed, or undefined when it is not
 * absolute or has a `..` segment: `..` after a symbolic link goes elsewhere on the host than the
 * text says, so such a path never matches an allowed one.
 */
export function normalizeHostPath(path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return undefined;
  return `/${segments.join('/')}`;
}

/** Prefix matched on whole segments: `/srv/data` covers `/srv/data` and `/srv/data/x`, not `/srv/database`. */
export function isUnderHostPath(path: string, allowed: string): boolean {
  return path === allowed || path.startsWith(allowed === '/' ? '/' : `${allowed}/`);
}
