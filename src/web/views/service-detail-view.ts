import type { ShoalEvent } from '../../api/events.js';
import type { NodeObject, TaskObject } from '../../api/objects.js';
import type { ServiceView } from '../../client/types.js';
import { h, replaceChildren, table, td, type Child } from '../dom.js';
import { ago, shortId } from '../format.js';
import { routeHash } from '../router.js';
import { badge } from './badge.js';
import { replicaBar } from './replica-bar.js';
import { ScaleForm } from './scale-form.js';
import { specSummary } from './spec-summary.js';
import { updateStatus } from './update-status.js';
import type { View, ViewContext } from './view.js';

/** One service: spec summary, scale, and its tasks (current and kept history). */
export class ServiceDetailView implements View {
  readonly element = h('section', { class: 'view service-detail' });
  private form: ScaleForm | undefined;
  private serviceId: string | undefined;

  constructor(
    private readonly ctx: ViewContext,
    private readonly ref: string,
  ) {}

  get title(): string {
    return `Service ${this.ref}`;
  }

  affectedBy(event: ShoalEvent): boolean {
    if (event.kind === 'node') return true;
    if (this.serviceId === undefined) return event.kind === 'service';
    if (event.kind === 'service') return event.objectId === this.serviceId;
    return event.kind === 'task' && event.attributes.serviceId === this.serviceId;
  }

  async refresh(): Promise<void> {
    const [service, tasks, nodes] = await Promise.all([
      this.ctx.client.getService(this.ref),
      this.ctx.client.listTasks({ service: this.ref }),
      this.ctx.client.listNodes(),
    ]);
    this.serviceId = service.id;
    const hostnames = new Map(nodes.map((n: NodeObject) => [n.id, n.hostname]));
    replaceChildren(
      this.element,
      h('nav', { class: 'crumbs' }, h('a', { attrs: { href: routeHash({ view: 'services' }) } }, 'Services'), ' / ', service.name),
      h(
        'header',
        { class: 'view-header' },
        h('h2', {}, service.name),
        replicaBar(service.replicas.running, service.replicas.desired),
        service.spec.mode === 'replicated' ? this.scaleForm(service).element : null,
      ),
      h('div', { class: 'panel' }, specSummary(service, updateStatus(service.updateStatus))),
      h('h3', {}, 'Tasks'),
      table(
        'tasks',
        ['Slot', 'Node', 'Desired', 'Current state', 'Error / pending reason', 'Container', 'Task'],
        sortTasks(tasks).map((t) => taskRow(t, hostnames)),
        'No tasks.',
      ),
    );
  }

  private scaleForm(service: ServiceView): ScaleForm {
    this.form ??= new ScaleForm(this.ctx, service, service.spec.replicas);
    this.form.update(service.spec.replicas);
    return this.form;
  }
}

/** Current tasks first (by slot), then history, newest first. */
function sortTasks(tasks: TaskObject[]): TaskObject[] {
  const current = (t: TaskObject): number => (t.desiredState === 'running' ? 0 : 1);
  return [...tasks].sort(
    (a, b) => current(a) - current(b) || (a.slot ?? 0) - (b.slot ?? 0) || (a.nodeId ?? '').localeCompare(b.nodeId ?? '') || b.createdAt.localeCompare(a.createdAt),
  );
}

function taskRow(t: TaskObject, hostnames: Map<string, string>): HTMLTableRowElement {
  const problem: Child = t.status.error ?? t.status.pendingReason ?? (t.status.state === 'pending' ? t.status.message : '');
  const node = t.nodeId ? (hostnames.get(t.nodeId) ?? shortId(t.nodeId)) : '—';
  return h(
    'tr',
    { class: t.desiredState === 'running' ? 'current' : 'history', attrs: { 'data-task-id': t.id } },
    td(t.slot ?? '—'),
    td(node),
    td(t.desiredState),
    td(badge(t.status.state), h('div', { class: 'secondary', attrs: { title: t.status.timestamp } }, ago(t.status.timestamp)), t.status.exitCode !== undefined ? h('div', { class: 'secondary' }, `exit ${t.status.exitCode}`) : null),
    td(problem ? h('span', { class: t.status.error ? 'error-text' : 'secondary' }, problem) : '—'),
    td(h('span', { class: 'mono', attrs: { title: t.status.containerId ?? '' } }, shortId(t.status.containerId) || '—')),
    td(h('span', { class: 'mono secondary', attrs: { title: t.id } }, shortId(t.id))),
  );
}
