import { posix } from 'node:path';
import type { TaskFilePayload } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import { fileKey } from '../../api/secrets.js';
import type { FileReference } from '../../api/service-spec.js';

export type TaskFileKind = TaskFilePayload['kind'];

/** One file a task's container gets: the bytes, where they go, and how they look there. */
export interface TaskFileContent {
  kind: TaskFileKind;
  /** The secret or config name: the only thing about it that messages and logs may show. */
  name: string;
  /** Absolute path in the container. */
  target: string;
  data: Buffer;
  mode: number;
  uid?: number;
  gid?: number;
}


/**
 * Where a reference lands in the container: secrets under /run/secrets/ (Docker's place),
 * configs under / (Swarm's default), unless `target` is absolute.
 */
export function containerTarget(kind: TaskFileKind, ref: Pick<FileReference, 'source' | 'target'>): string {
  const target = ref.target ?? ref.source;
  if (target.startsWith('/')) return posix.normalize(target);
  return posix.join(kind === 'secret' ? '/run/secrets' : '/', target);
}

/** The payloads of one assignments message, found by kind, name and version. */
export class FilePayloads {
  private readonly byKey = new Map<string, string>();

  constructor(payloads: readonly TaskFilePayload[] = []) {
    for (const p of payloads) this.byKey.set(`${fileKey(p.kind, p.name)}@${p.version}`, p.data);
  }

  get size(): number {
    return this.byKey.size;
  }

  find(kind: TaskFileKind, name: string, version: number | undefined): Buffer | undefined {
    if (version === undefined) return undefined;
    const data = this.byKey.get(`${fileKey(kind, name)}@${version}`);
    return data === undefined ? undefined : Buffer.from(data, 'base64');
  }
}

export const taskHasFiles = (task: TaskObject): boolean =>
  (task.spec.secrets?.length ?? 0) > 0 || (task.spec.configs?.length ?? 0) > 0;

/**
 * Matches each secret and config reference of the task to its payload (kind + name + the
 * version the manager pinned in `fileVersions`). The first one without a payload is named in
 * `missing`, as "secret NAME (version N)": never with any content.
 */
export function resolveTaskFiles(task: TaskObject, payloads: FilePayloads): { files: TaskFileContent[] } | { missing: string } {
  const files: TaskFileContent[] = [];
  const refs: Array<[TaskFileKind, FileReference[] | undefined]> = [
    ['secret', task.spec.secrets],
    ['config', task.spec.configs],
  ];
  for (const [kind, list] of refs) {
    for (const ref of list ?? []) {
      const version = task.fileVersions?.[fileKey(kind, ref.source)];
      const data = payloads.find(kind, ref.source, version);
      if (!data) return { missing: `${kind} ${ref.source}${version === undefined ? ' (no version pinned)' : ` (version ${version})`}` };
      const file: TaskFileContent = { kind, name: ref.source, target: containerTarget(kind, ref), data, mode: ref.mode ?? 0o444 };
      if (ref.uid !== undefined) file.uid = Number(ref.uid);
      if (ref.gid !== undefined) file.gid = Number(ref.gid);
      files.push(file);
    }
  }
  return { files };
}
