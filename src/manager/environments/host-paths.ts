import { z } from 'zod';
import { normalizeHostPath } from '../../api/host-paths.js';

/** Enough for any sensible layout of data folders; a longer list is a mistake, not a policy. */
export const maxAllowedHostPaths = 64;

const hostPathSchema = z
  .string()
  .max(4096, 'must be at most 4096 characters')
  .superRefine((path, ctx) => {
    if (/[\u0000-\u001f\u007f]/.test(path)) ctx.addIssue({ code: 'custom', message: 'must not contain control characters' });
    else if (!path.startsWith('/')) ctx.addIssue({ code: 'custom', message: 'must be an absolute host path' });
    else if (normalizeHostPath(path) === undefined) ctx.addIssue({ code: 'custom', message: 'must not contain ".." segments' });
    else if (normalizeHostPath(path) === '/') ctx.addIssue({ code: 'custom', message: 'would allow every host path; give the owner role (host:mount) to who needs that instead' });
  })
  .transform((path) => normalizeHostPath(path) ?? path);

/**
 * `PUT /v1/environments/:name/host-paths`: the whole list of host path prefixes any caller who
 * may write services may bind in the environment (stored normalized, sorted, once each); `version`,
 * when given, is the environment version the client read (a stale one is 409).
 */
export const setHostPathsSchema = z.strictObject({
  paths: z.array(hostPathSchema).max(maxAllowedHostPaths, `must list at most ${maxAllowedHostPaths} paths`),
  version: z.number().int('must be an integer').min(0, 'must not be negative').optional(),
});

/** The list as stored: sorted, without repeats. */
export function allowedHostPathList(paths: readonly string[]): string[] {
  return [...new Set(paths)].sort();
}
