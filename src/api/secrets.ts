import { z } from 'zod';
import { labelMapSchema } from './bounded.js';
import { nameSchema } from './service-spec.js';

/**
 * Secrets and configs: named, versioned file contents of an environment that services mount
 * read-only. Both share one shape; a secret's content is never returned by the API, a
 * config's is on request (`?content=true`).
 */

export type FileKind = 'secret' | 'config';

/** The most a secret or config may hold, as Docker allows. */
export const fileDataLimitBytes = 500 * 1024;

/** The key of a reference in `fileVersions` maps: `secret/NAME`, `config/NAME`. */
export const fileKey = (kind: FileKind, name: string): string => `${kind}/${name}`;

export const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64 of 1 byte to 500 KiB; the decoded size is checked without decoding. */
export const fileDataSchema = z
  .string()
  .min(1, 'must not be empty')
  .regex(base64Pattern, 'must be base64')
  .refine((b64) => decodedLength(b64) <= fileDataLimitBytes, `must be at most ${fileDataLimitBytes / 1024} KiB`);

export function decodedLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

export const createFileSchema = z.strictObject({
  name: nameSchema,
  /** base64 of the content. */
  data: fileDataSchema,
  labels: labelMapSchema.default({}),
});

export const rotateFileSchema = z.strictObject({
  data: fileDataSchema,
});

export interface FileVersionInfo {
  version: number;
  createdAt: string;
  /** Bytes; configs only (a secret's length would help guess it). */
  size?: number;
}

/** What `GET /v1/secrets[/:ref]` and `/v1/configs[/:ref]` answer: metadata only. */
export interface FileView {
  id: string;
  env: string;
  kind: FileKind;
  name: string;
  /** Store revision of the last change. */
  version: number;
  createdAt: string;
  updatedAt: string;
  labels: Record<string, string>;
  /** The newest version: what services are moved to. */
  currentVersion: number;
  versions: FileVersionInfo[];
  /** Services of the environment whose spec references it. */
  usedBy: { id: string; name: string }[];
  /** Configs only, with `?content=true`: base64 of the current version. */
  data?: string;
}

/** What `FileApi.ensure` (stack deploys) reports. */
export interface EnsureResult {
  name: string;
  version: number;
  /** False when the content equalled the current version and nothing was written. */
  changed: boolean;
}
