import type { ShoalEvent } from '../../api/events.js';
import type { ServiceView } from '../../client/types.js';
import { h, replaceChildren, table, td } from '../dom.js';
import { routeHash } from '../router.js';
import { replicaBar } from './replica-bar.js';
import { ScaleForm } from './scale-form.js';
import { updateStatus } from './update-status.js';
import type { View, ViewContext } from './view.js';

/** Every service with its replica counts and update status; scale in place. */
export class ServicesView implements View {
  readonly title = 'Services';
  readonly element = h('section', { class: 'view services-view' });
  private readonly forms = new Map<string, ScaleForm>();

  constructor(private readonly ctx: ViewContext) {}

  affectedBy(event: ShoalEvent): boolean {
    return event.kind === 'service' || event.kind === 'task';
  }

  async refresh(): Promise<void> {
    const services = await this.ctx.client.listServices();
    services.sort((a, b) => a.name.localeCompare(b.name));
    // A one-shot service whose tasks completed is as done as a running one.
    const converged = services.filter((s) => s.replicas.running + (s.replicas.completed ?? 0) === s.replicas.desired).length;
    for (const id of this.forms.keys()) if (!services.some((s) => s.id === id)) this.forms.delete(id);
    replaceChildren(
      this.element,
      h('header', { class: 'view-header' }, h('h2', {}, 'Services'), h('span', { class: 'summary' }, `${converged} of ${services.length} converged`)),
      table(
        'services',
        ['Name', 'Image', 'Mode', 'Replicas', 'Update', 'Scale'],
        services.map((s) => this.row(s)),
        h('span', {}, 'No services yet. Create one with ', h('code', {}, 'shoal service create --name web IMAGE'), '.'),
      ),
    );
  }

  private row(s: ServiceView): HTMLTableRowElement {
    return h(
      'tr',
      { attrs: { 'data-service': s.name, 'data-service-id': s.id } },
      td(h('a', { class: 'primary', attrs: { href: routeHash({ view: 'service', ref: s.id }) } }, s.name), s.stack ? h('div', { class: 'secondary' }, `stack ${s.stack}`) : null),
      td(h('span', { class: 'mono' }, s.spec.image)),
      td(s.spec.mode),
      td(replicaBar(s.replicas.running, s.replicas.desired)),
      td(updateStatus(s.updateStatus)),
      td(s.spec.mode === 'replicated' ? this.form(s).element : h('span', { class: 'secondary' }, 'one per node')),
    );
  }

  private form(s: ServiceView): ScaleForm {
    let form = this.forms.get(s.id);
    if (!form) {
      form = new ScaleForm(this.ctx, s, s.spec.replicas);
      this.forms.set(s.id, form);
    }
    form.update(s.spec.replicas);
    return form;
  }
}
