import type { ServicePortsReadiness } from '../../api/ingress-status.js';
import type { ServiceView } from '../../client/types.js';
import { h, type Child } from '../dom.js';
import { ago, bytes, cpus, durationMs } from '../format.js';
import { labels } from './labels.js';

/** The parts of a service spec a person checks first, as a definition list. */
export function specSummary(s: ServiceView, update: Child): HTMLElement {
  const spec = s.spec;
  const rows: [string, Child][] = [
    ['ID', h('span', { class: 'mono' }, s.id)],
    ['Image', h('span', { class: 'mono' }, spec.image)],
    ['Mode', spec.mode === 'replicated' ? `replicated, ${spec.replicas} replica${spec.replicas === 1 ? '' : 's'}` : 'global'],
    ['Command', [...(spec.command ?? []), ...(spec.args ?? [])].join(' ') || '(image default)'],
    ['Environment', Object.keys(spec.env).sort().join(', ') || '—'],
    ['Ports', spec.ports.map((p) => `${p.published ?? '(any)'}:${p.target}/${p.protocol} ${p.mode}`).join(', ') || '—'],
    ...(s.ports ? [['Ports answer', portsAnswer(s.ports)] as [string, Child]] : []),
    ['Mounts', spec.mounts.map((m) => `${m.type} ${m.source ?? ''}→${m.target}${m.readOnly ? ' (ro)' : ''}`).join(', ') || '—'],
    ['Constraints', spec.placement.constraints.join(', ') || '—'],
    ['Reservations', reservation(spec.resources.reservations)],
    ['Limits', reservation(spec.resources.limits)],
    ['Restart', `${spec.restartPolicy.condition}, delay ${durationMs(spec.restartPolicy.delayMs)}${spec.restartPolicy.maxAttempts ? `, at most ${spec.restartPolicy.maxAttempts}` : ''}`],
    ['Update', `${spec.updateConfig.parallelism || 'all'} at a time, ${spec.updateConfig.order}, on failure ${spec.updateConfig.failureAction}`],
    ['Update status', update],
    ['Labels', labels(spec.labels)],
    ['Spec version', `${s.specVersion}${s.previousSpec ? ' (rollback available)' : ''}`],
    ['Created', h('span', { attrs: { title: s.createdAt } }, ago(s.createdAt))],
    ['Updated', h('span', { attrs: { title: s.updatedAt } }, ago(s.updatedAt))],
  ];
  return h('dl', { class: 'spec' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** Where the ingress ports answer, as the nodes' agents reported: "on 1 of 2 nodes (node-2: port 8080/tcp is not open yet)". */
function portsAnswer(p: ServicePortsReadiness): string {
  const first = p.waiting[0];
  return `on ${p.ready} of ${p.nodes} node${p.nodes === 1 ? '' : 's'}${first ? ` (${first.hostname}: ${first.reason})` : ''}`;
}

function reservation(r: { nanoCpus: number; memoryBytes: number }): string {
  if (!r.nanoCpus && !r.memoryBytes) return '—';
  return [r.nanoCpus ? `${cpus(r.nanoCpus)} CPU` : '', r.memoryBytes ? bytes(r.memoryBytes) : ''].filter(Boolean).join(', ');
}
