import type { TaskFilePayload } from '../../api/agent-protocol.js';
import type { TaskObject } from '../../api/objects.js';
import { fileKey, type FileKind } from '../../api/secrets.js';
import { isTerminal } from '../../api/task-state.js';

/** Where the dispatcher reads a secret or config version's content (base64); undefined when gone. */
export interface TaskFileSource {
  content(env: string, kind: FileKind, name: string, version: number): Promise<string | undefined>;
}

/**
 * The secret and config versions that the tasks of one assignment message mount: only of tasks
 * that are to run and have not ended, each version once. A node thus receives the content of
 * exactly what its own tasks use, and nothing for tasks being stopped. A version that is gone
 * is left out: the agent then fails the task for want of it rather than run it without.
 */
export async function filesForTasks(tasks: readonly TaskObject[], source: TaskFileSource): Promise<TaskFilePayload[]> {
  const wanted = new Map<string, { env: string; kind: FileKind; name: string; version: number }>();
  for (const task of tasks) {
    if (task.desiredState !== 'running' || isTerminal(task.status.state)) continue;
    const refs = [
      ...(task.spec.secrets ?? []).map((r) => ({ kind: 'secret' as const, name: r.source })),
      ...(task.spec.configs ?? []).map((r) => ({ kind: 'config' as const, name: r.source })),
    ];
    for (const { kind, name } of refs) {
      const version = task.fileVersions?.[fileKey(kind, name)];
      if (version === undefined) continue;
      wanted.set(`${task.env}\u0000${kind}\u0000${name}\u0000${version}`, { env: task.env, kind, name, version });
    }
  }
  const files: TaskFilePayload[] = [];
  for (const w of wanted.values()) {
    const data = await source.content(w.env, w.kind, w.name, w.version);
    if (data !== undefined) files.push({ kind: w.kind, name: w.name, version: w.version, data });
  }
  return files;
}
