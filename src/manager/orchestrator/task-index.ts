import type { TaskObject } from '../../api/objects.js';

/** Replicated tasks share a slot number; global tasks share a node. */
export const slotKey = (t: TaskObject): string => (t.slot !== undefined ? `s${t.slot}` : `n${t.nodeId ?? ''}`);

export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** serviceId → slot key → tasks, built once per step so no step scans all tasks per service. */
export function indexBySlot(tasks: Iterable<TaskObject>): Map<string, Map<string, TaskObject[]>> {
  const out = new Map<string, Map<string, TaskObject[]>>();
  for (const t of tasks) {
    let slots = out.get(t.serviceId);
    if (!slots) out.set(t.serviceId, (slots = new Map<string, TaskObject[]>()));
    const k = slotKey(t);
    const list = slots.get(k);
    if (list) list.push(t);
    else slots.set(k, [t]);
  }
  return out;
}

export const byNewestFirst = (a: TaskObject, b: TaskObject): number =>
  a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt);
