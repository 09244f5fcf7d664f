import type { ServiceObject, TaskObject } from '../../api/objects.js';
import { ago } from '../output/relative-time.js';
import type { Convergence } from './convergence.js';

/** `web: 3/5 running  [###--]`, plus the update state while one runs. */
export function summaryLine(service: ServiceObject, c: Convergence): string {
  let line = `${service.name}: ${c.running}/${c.desired} running`;
  if (c.completed > 0) line += `, ${c.completed} completed`;
  if (c.desired > 0) line += `  [${bar(c.running + c.completed, c.desired)}]`;
  if (c.portsWaiting) line += `  ports answer on ${c.portsWaiting.ready}/${c.portsWaiting.nodes} nodes`;
  if (c.update && (c.update.state === 'updating' || c.update.state === 'rollback_started')) {
    line += `  ${c.update.state === 'updating' ? 'updating' : 'rolling back'}${c.update.message ? `: ${c.update.message}` : ''}`;
  }
  return line;
}

/** "1/3 pending: no suitable node (1 node not available for new tasks)", one line per reason. */
export function pendingLines(c: Convergence): string[] {
  const total = Math.max(c.desired, c.pending.count);
  return c.pending.reasons.map((r) => `${r.count}/${total} pending: ${r.reason}`);
}

/** "port 8080/tcp is not open yet on node-1", one line per node whose ports do not answer yet. */
export function portLines(c: Convergence, max = 5): string[] {
  const waiting = c.portsWaiting?.waiting ?? [];
  const lines = waiting.slice(0, max).map((w) => `${w.reason} on node ${w.hostname}`);
  if (waiting.length > max) lines.push(`… and ${waiting.length - max} more nodes`);
  return lines;
}

export function bar(done: number, total: number, maxWidth = 20): string {
  const width = Math.min(total, maxWidth);
  const filled = Math.min(width, Math.round((done / total) * width));
  return '#'.repeat(filled) + '-'.repeat(width - filled);
}

/** One line per slot (or per node for a global service): the newest task that should run there. */
export function slotLines(service: ServiceObject, tasks: readonly TaskObject[], c: Convergence, now: number, max = 15): string[] {
  const live = tasks.filter((t) => t.desiredState === 'running');
  const newest = new Map<string, TaskObject>();
  for (const t of live) {
    const key = slotKey(t);
    const seen = newest.get(key);
    if (!seen || seen.createdAt < t.createdAt) newest.set(key, t);
  }
  const keys =
    service.spec.mode === 'replicated'
      ? Array.from({ length: c.desired }, (_, i) => String(i + 1))
      : [...newest.keys()].sort();
  const width = Math.max(0, ...keys.map((k) => `${service.name}.${k}`.length));
  const lines = keys.slice(0, max).map((key) => {
    const t = newest.get(key);
    const label = `${service.name}.${key}`.padEnd(width);
    return `  ${label}  ${t ? taskState(t, service.specVersion, now) : 'new'}`;
  });
  if (keys.length > max) lines.push(`  … and ${keys.length - max} more`);
  return lines;
}

const slotKey = (t: TaskObject): string => (t.slot !== undefined ? String(t.slot) : (t.nodeId ?? t.id));

function taskState(t: TaskObject, specVersion: number, now: number): string {
  const s = t.status;
  let text: string = s.state;
  if (s.state === 'pending' && s.pendingReason) text += `: ${s.pendingReason}`;
  else if (s.state === 'running') text += ` ${ago(s.runningSince ?? s.timestamp, now)}`;
  else if (s.error) text += `: ${s.error}`;
  if (t.specVersion !== specVersion) text += ' (previous version)';
  return text;
}

/** `web.2: rejected: No such image: ngnx:latest` for a task that ended in failure. */
export function taskErrorLine(t: TaskObject): string {
  const where = `${t.serviceName}.${t.slot ?? t.nodeId ?? t.id}`;
  const why = t.status.error || t.status.message || (t.status.exitCode !== undefined ? `exit code ${t.status.exitCode}` : '');
  return `${where}: ${t.status.state}${why ? `: ${why}` : ''}`;
}
