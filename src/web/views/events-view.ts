import type { ShoalEvent } from '../../api/events.js';
import { h, replaceChildren, table, td } from '../dom.js';
import { clock } from '../format.js';
import { routeHash } from '../router.js';
import type { View, ViewContext } from './view.js';

/** The live event list, newest first, drawn from what the page's stream has received. */
export class EventsView implements View {
  readonly title = 'Events';
  readonly element = h('section', { class: 'view events-view' });

  constructor(private readonly ctx: ViewContext) {}

  affectedBy(): boolean {
    return true;
  }

  refresh(): Promise<void> {
    const events = this.ctx.events.list();
    const { total } = this.ctx.events;
    replaceChildren(
      this.element,
      h(
        'header',
        { class: 'view-header' },
        h('h2', {}, 'Events'),
        h('span', { class: 'summary' }, total > events.length ? `latest ${events.length} of ${total} received` : `${events.length} received`),
      ),
      table('events', ['Time', 'Revision', 'Action', 'Object', 'Details', 'Actor'], events.map(row), 'No events yet: changes appear here as they happen.'),
    );
    return Promise.resolve();
  }
}

function row(e: ShoalEvent): HTMLTableRowElement {
  const serviceId = typeof e.attributes.serviceId === 'string' ? e.attributes.serviceId : e.kind === 'service' && e.action !== 'service.remove' ? e.objectId : undefined;
  const name = e.name ?? e.objectId.slice(0, 12);
  return h(
    'tr',
    { attrs: { 'data-revision': String(e.revision) } },
    td(h('span', { attrs: { title: e.time } }, clock(e.time))),
    td(h('span', { class: 'mono secondary' }, e.revision)),
    td(h('span', { class: `action kind-${e.kind}` }, e.action)),
    td(serviceId ? h('a', { attrs: { href: routeHash({ view: 'service', ref: serviceId }) } }, name) : name),
    td(h('span', { class: 'secondary' }, details(e))),
    td(h('span', { class: 'secondary' }, e.actor)),
  );
}

function details(e: ShoalEvent): string {
  const a = e.attributes;
  const parts: string[] = [];
  if (a.from !== undefined || a.to !== undefined) parts.push(`${a.from ?? '∅'} → ${a.to ?? '∅'}`);
  for (const key of ['image', 'replicas', 'availability', 'state', 'desired', 'specVersion', 'message']) {
    const v = a[key];
    if (v !== undefined && v !== '') parts.push(`${key} ${v}`);
  }
  return parts.join(' · ');
}
