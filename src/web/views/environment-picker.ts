import type { ShoalClient } from '../../client/shoal-client.js';
import { h, replaceChildren } from '../dom.js';

const defaultEnv = 'default';

/**
 * The environment the page acts in, as a select in the header. Picking one reloads the page
 * with `?env=NAME`, so every view and the event stream start over in that environment. Hidden
 * when the manager does not list environments (older manager, or a caller not allowed to).
 */
export class EnvironmentPicker {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;

  constructor(
    private readonly client: ShoalClient,
    private readonly current = client.env ?? defaultEnv,
  ) {
    this.select = h('select', { attrs: { id: 'env-select', 'aria-label': 'Environment' }, on: { change: () => this.pick(this.select.value) } });
    this.element = h('label', { class: 'env-picker', attrs: { hidden: '' } }, h('span', { class: 'env-label' }, 'Environment'), this.select);
  }

  async load(): Promise<void> {
    let names: string[];
    try {
      names = (await this.client.listEnvironments()).map((e) => e.name);
    } catch {
      this.element.hidden = true;
      return;
    }
    // An environment named in the address but not listed stays visible, so the user sees where they are.
    if (!names.includes(this.current)) names.unshift(this.current);
    replaceChildren(this.select, ...names.map((name) => h('option', { attrs: { value: name, ...(name === this.current ? { selected: '' } : {}) } }, name)));
    this.select.value = this.current;
    this.element.hidden = false;
  }

  private pick(env: string): void {
    if (env === this.current) return;
    const url = new URL(location.href);
    if (env === defaultEnv) url.searchParams.delete('env');
    else url.searchParams.set('env', env);
    location.assign(url.toString());
  }
}
