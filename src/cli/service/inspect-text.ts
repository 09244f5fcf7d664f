import type { NodeObject, TaskObject } from '../../api/objects.js';
import type { ServiceView } from '../../client/types.js';
import { ago, capitalize } from '../output/relative-time.js';
import { formatTable, shortId } from '../output/table.js';

/**
 * `service inspect --format table`: the service in a few lines, then a "Tasks" section with the
 * tasks that are meant to run (or still run) and where they can be reached. Ended history is
 * `service ps`'s job, so it is left out here.
 */
export function serviceInspectText(service: ServiceView, tasks: readonly TaskObject[], nodes: ReadonlyMap<string, NodeObject>, now: number, networkNames: ReadonlyMap<string, string> = new Map()): string {
  const spec = service.spec;
  const mode = spec.mode === 'global' ? 'global' : `replicated (${service.replicas.running}/${service.replicas.desired} running)`;
  let out = `Name:         ${service.name}\nID:           ${service.id}\n`;
  if (service.stack) out += `Stack:        ${service.stack}\n`;
  out += `Image:        ${spec.image}\nMode:         ${mode}\nSpec version: ${service.specVersion}\n`;
  if (service.updateStatus) out += `Update:       ${service.updateStatus.state}${service.updateStatus.message ? ` (${service.updateStatus.message})` : ''}\n`;
  if (service.refused) out += `Refused:      ${service.refused.reason} (since ${service.refused.since}; no task is changed until update or scale brings it within the limits)\n`;
  const current = tasks
    .filter((t) => t.serviceId === service.id && (t.desiredState === 'running' || t.status.state === 'running'))
    .sort((a, b) => taskName(a).localeCompare(taskName(b), undefined, { numeric: true }));
  out += '\nTasks:\n';
  if (current.length === 0) return `${out}  none\n`;
  const rows = current.map((t) => [
    taskName(t),
    t.nodeId ? (nodes.get(t.nodeId)?.hostname ?? shortId(t.nodeId)) : '',
    `${capitalize(t.status.state)}${t.status.state === 'running' && t.status.health ? ` (${t.status.health})` : ''} ${ago(t.status.state === 'running' ? (t.status.runningSince ?? t.status.timestamp) : t.status.timestamp, now)}`.trim(),
    addressText(t, networkNames),
  ]);
  return out + indent(formatTable(['TASK', 'NODE', 'STATE', 'ADDRESSES'], rows));
}

/**
 * `default=10.240.0.66, shop_default=10.240.0.130`; `-` while none is known (not running yet,
 * or no network). `networkNames` maps the engine's network names to Shoal's; others show as the
 * engine names them (`bridge`).
 */
export function addressText(t: TaskObject, networkNames: ReadonlyMap<string, string> = new Map()): string {
  const addresses = t.status.state === 'running' ? (t.status.addresses ?? []) : [];
  return addresses.length > 0 ? addresses.map((a) => `${networkNames.get(a.network) ?? a.network}=${a.ip}`).join(', ') : '-';
}

function taskName(t: TaskObject): string {
  return `${t.serviceName}.${t.slot ?? (t.nodeId ? shortId(t.nodeId) : t.id)}`;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
