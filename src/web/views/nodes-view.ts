import type { ShoalEvent } from '../../api/events.js';
import type { NodeAvailability, NodeObject } from '../../api/objects.js';
import { h, replaceChildren, table, td } from '../dom.js';
import { ago, bytes, cpus } from '../format.js';
import { badge } from './badge.js';
import { labels } from './labels.js';
import type { View, ViewContext } from './view.js';

/** Every node: status, availability, role, engine, capacity, labels; drain and activate. */
export class NodesView implements View {
  readonly title = 'Nodes';
  readonly element = h('section', { class: 'view nodes-view' });

  constructor(private readonly ctx: ViewContext) {}

  affectedBy(event: ShoalEvent): boolean {
    return event.kind === 'node';
  }

  async refresh(): Promise<void> {
    const nodes = await this.ctx.client.listNodes();
    nodes.sort((a, b) => (a.role === b.role ? a.hostname.localeCompare(b.hostname) : a.role === 'manager' ? -1 : 1));
    const ready = nodes.filter((n) => n.status.state === 'ready').length;
    replaceChildren(
      this.element,
      h('header', { class: 'view-header' }, h('h2', {}, 'Nodes'), h('span', { class: 'summary' }, `${ready} of ${nodes.length} ready`)),
      table(
        'nodes',
        ['Hostname', 'Status', 'Availability', 'Role', 'Engine', 'CPUs', 'Memory', 'Labels', ''],
        nodes.map((n) => this.row(n)),
        'No nodes have joined yet.',
      ),
    );
  }

  private row(n: NodeObject): HTMLTableRowElement {
    return h(
      'tr',
      { attrs: { 'data-node-id': n.id, 'data-hostname': n.hostname } },
      td(h('div', { class: 'primary' }, n.hostname), h('div', { class: 'secondary mono', attrs: { title: n.id } }, n.id.slice(0, 12), n.status.address ? ` · ${n.status.address}` : '')),
      td(badge(n.status.state, 'node-status'), n.status.message ? h('div', { class: 'secondary' }, n.status.message) : null, h('div', { class: 'secondary', attrs: { title: n.status.timestamp } }, ago(n.status.timestamp))),
      td(badge(n.availability, 'node-availability')),
      td(n.role),
      td(n.engine.version || '—', h('div', { class: 'secondary' }, [n.engine.os, n.engine.arch].filter(Boolean).join('/'))),
      td(cpus(n.resources.nanoCpus)),
      td(bytes(n.resources.memoryBytes)),
      td(labels(n.labels)),
      td(this.availabilityButton(n)),
    );
  }

  private availabilityButton(n: NodeObject): HTMLButtonElement {
    const target: NodeAvailability = n.availability === 'active' ? 'drain' : 'active';
    const label = target === 'drain' ? 'Drain' : 'Activate';
    const button = h('button', { class: target === 'drain' ? 'danger' : '', attrs: { type: 'button', 'aria-label': `${label} ${n.hostname}` } }, label);
    button.addEventListener('click', () => {
      button.disabled = true;
      void this.ctx.act(`${label} ${n.hostname}`, () => this.ctx.client.updateNode(n.id, { availability: target })).finally(() => (button.disabled = false));
    });
    return button;
  }
}
