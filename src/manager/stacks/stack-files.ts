import { posix } from 'node:path';
import { ShoalError } from '../../api/errors.js';
import { fileDataSchema, type EnsureResult, type FileKind } from '../../api/secrets.js';
import { nameSchema } from '../../api/service-spec.js';
import type { StackFileResource, StackSpec } from '../../api/stack-spec.js';
import { parseOrThrow } from '../../api/validation.js';
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
 * compose file itself (`content:`); a missing, empty or too large one, or a name the secret
 * API would refuse, is refused here, naming the compose field, before anything is written.
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
    const field = `${kind}s.${short}`;
    if (resource.external) externals.push({ kind, short, name });
    else writes.push({ kind, short, name: parseOrThrow(nameSchema, name, field), data: contentOf(field, resource, sent, variables) });
  }
  return { writes, externals };
}

function contentOf(field: string, r: StackFileResource, sent: Map<string, string>, variables: Record<string, string>): string {
  if (r.file !== undefined) {
    const data = sent.get(normalize(r.file));
    if (data === undefined) throw new ShoalError('invalid_argument', `${field}.file: the client did not send "${r.file}" (fileData)`, `${field}.file`);
    return parseOrThrow(fileDataSchema, data, `${field}.file`);
  }
  if (r.environment !== undefined) {
    const value = variables[r.environment];
    if (value === undefined) throw new ShoalError('invalid_argument', `${field}.environment: variable "${r.environment}" is not set`, `${field}.environment`);
    return parseOrThrow(fileDataSchema, toBase64(value), `${field}.environment`);
  }
  if (r.content !== undefined) return parseOrThrow(fileDataSchema, toBase64(r.content), `${field}.content`);
  throw new ShoalError('invalid_argument', `${field}: needs file, environment, content or external`, field);
}
