import { posix } from 'node:path';
import { ShoalError } from '../../api/errors.js';
import type { EnsureResult, FileKind } from '../../api/secrets.js';
import type { StackFileResource, StackSpec } from '../../api/stack-spec.js';
import type { RequestContext } from '../controlapi/request-context.js';
import { resourceName } from './stack-names.js';

/** The label that marks a secret or config as made by a stack (removed with it). */
export const stackLabel = 'io.shoal.stack';

/**
 * What the stack API needs of secrets and configs (`src/manager/secrets`): create or add a
 * version when the content differs, tell whether one exists, remove one.
 */
export interface StackFiles {
  /** `data` is base64. */
  ensure(ctx: RequestContext, kind: FileKind, name: string, data: string, labels: Record<string, string>): Promise<EnsureResult>;
  exists(ctx: RequestContext, kind: FileKind, name: string): Promise<boolean>;
  /** Names (of this kind, in the context's environment) carrying `labels` `key=value`. */
  listLabelled(ctx: RequestContext, kind: FileKind, key: string, value: string): Promise<string[]>;
  remove(ctx: RequestContext, kind: FileKind, name: string): Promise<void>;
}

export interface FileWrite {
  kind: FileKind;
  /** The compose file's name for it. */
  short: string;
  /** Its name in the environment. */
  name: string;
  /** base64. */
  data: string;
}

export interface ExternalFile {
  kind: FileKind;
  short: string;
  name: string;
}

const kinds: [FileKind, 'secrets' | 'configs'][] = [
  ['secret', 'secrets'],
  ['config', 'configs'],
];

const normalize = (path: string): string => posix.normalize(path.replace(/\\/g, '/'));
const toBase64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export interface StackFileRef {
  kind: FileKind;
  /** The compose file's name for it. */
  short: string;
  /** Its name in the environment. */
  name: string;
  resource: StackFileResource;
}

/** Every secret and config of a rendered stack, with its name in the environment. */
export function stackFileRefs(stack: string, rendered: StackSpec): StackFileRef[] {
  return kinds.flatMap(([kind, key]) =>
    Object.entries(rendered[key])
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([short, resource]) => ({ kind, short, name: resourceName(stack, short, resource), resource })),
  );
}

/**
 * The secrets and configs a rendered stack creates (with their content) and those it expects to
 * exist. Content comes from a `file:` the client sent, a variable (`environment:`) or the
 * compose file itself (`content:`); a missing one is refused before anything is written.
 */
export function stackFiles(
  stack: string,
  rendered: StackSpec,
  fileData: Record<string, string>,
  variables: Record<string, string>,
): { writes: FileWrite[]; externals: ExternalFile[] } {
  const sent = new Map(Object.entries(fileData).map(([path, data]) => [normalize(path), data]));
  const writes: FileWrite[] = [];
  const externals: ExternalFile[] = [];
  for (const { kind, short, name, resource } of stackFileRefs(stack, rendered)) {
    if (resource.external) externals.push({ kind, short, name });
    else writes.push({ kind, short, name, data: contentOf(`${kind}s.${short}`, resource, sent, variables) });
  }
  return { writes, externals };
}

function contentOf(field: string, r: StackFileResource, sent: Map<string, string>, variables: Record<string, string>): string {
  if (r.file !== undefined) {
    const data = sent.get(normalize(r.file));
    if (data === undefined) throw new ShoalError('invalid_argument', `${field}.file: the client did not send "${r.file}" (fileData)`, `${field}.file`);
    return data;
  }
  if (r.environment !== undefined) {
    const value = variables[r.environment];
    if (value === undefined) throw new ShoalError('invalid_argument', `${field}.environment: variable "${r.environment}" is not set`, `${field}.environment`);
    return toBase64(value);
  }
  if (r.content !== undefined) return toBase64(r.content);
  throw new ShoalError('invalid_argument', `${field}: needs file, environment, content or external`, field);
}
