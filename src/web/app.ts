import type { ShoalEvent } from '../api/events.js';
import type { ShoalClient } from '../client/shoal-client.js';
import { h, replaceChildren } from './dom.js';
import { ErrorBanner } from './error-banner.js';
import { EventLog } from './event-log.js';
import { LiveEvents, type ConnectionState } from './live-events.js';
import { RefreshScheduler } from './refresh-scheduler.js';
import { parseRoute, routeHash, section, type Route } from './router.js';
import { EventsView } from './views/events-view.js';
import { NodesView } from './views/nodes-view.js';
import { ServiceDetailView } from './views/service-detail-view.js';
import { ServicesView } from './views/services-view.js';
import { EnvironmentPicker } from './views/environment-picker.js';
import type { View, ViewContext } from './views/view.js';

const sections = [
  { id: 'services', label: 'Services' },
  { id: 'nodes', label: 'Nodes' },
  { id: 'events', label: 'Events' },
] as const;

const stateLabels: Record<ConnectionState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

export interface AppOptions {
  /** The logged-in user, shown with a log-out button; absent on a manager without authentication. */
  user?: { username: string; logout: () => void };
}

/**
 * The page shell: header with navigation and the connection indicator, the error banner, and
 * the current view. Every event is logged and, when it concerns the current view, reloads it
 * (debounced); a reconnect reloads it in full.
 */
export class App implements ViewContext {
  readonly events = new EventLog();
  private readonly banner = new ErrorBanner();
  private readonly main = h('main', { class: 'content', attrs: { id: 'content' } });
  private readonly indicator = h('span', { class: 'conn', attrs: { role: 'status' } });
  private readonly navLinks = new Map<string, HTMLAnchorElement>();
  private readonly scheduler = new RefreshScheduler(() => this.reload());
  private readonly live: LiveEvents;
  private readonly environments: EnvironmentPicker;
  private readonly onHashChange = (): void => this.route();
  private view: View | undefined;
  private lastLoadOk = false;
  private stopped = false;

  constructor(
    private readonly root: HTMLElement,
    readonly client: ShoalClient,
    private readonly options: AppOptions = {},
  ) {
    this.environments = new EnvironmentPicker(client);
    this.live = new LiveEvents({
      client,
      history: 200,
      onEvent: (e) => this.onEvent(e),
      onState: (state, detail) => this.showConnection(state, detail),
      onConnected: async () => {
        await this.scheduler.now();
        return this.lastLoadOk;
      },
    });
  }

  start(): void {
    const nav = h(
      'nav',
      { class: 'tabs', attrs: { 'aria-label': 'Sections' } },
      ...sections.map(({ id, label }) => {
        const link = h('a', { attrs: { href: routeHash({ view: id }) } }, label);
        this.navLinks.set(id, link);
        return link;
      }),
    );
    const header = h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', attrs: { href: '#/services' } }, h('span', { class: 'logo', attrs: { 'aria-hidden': 'true' } }), 'Shoal'),
      nav,
      this.environments.element,
      this.indicator,
      this.userMenu(),
    );
    replaceChildren(this.root, header, this.banner.element, this.main);
    this.showConnection('connecting', 'connecting to the event stream');
    window.addEventListener('hashchange', this.onHashChange);
    this.route();
    this.live.start();
    void this.environments.load();
  }

  /** Closes the event stream and stops reacting to anything; the caller replaces the page. */
  stop(): void {
    this.stopped = true;
    this.live.stop();
    this.scheduler.cancel();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  async act(what: string, action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
    } catch (err) {
      this.banner.show('action', err, what);
      return false;
    }
    this.banner.clear('action');
    void this.scheduler.now();
    return true;
  }

  private userMenu(): HTMLElement | null {
    const user = this.options.user;
    if (!user) return null;
    return h(
      'div',
      { class: 'user-menu' },
      h('span', { class: 'user-name', attrs: { title: 'logged in as' } }, user.username),
      h('button', { class: 'logout', attrs: { type: 'button' }, on: { click: () => user.logout() } }, 'Log out'),
    );
  }

  private route(): void {
    const route = parseRoute(location.hash);
    this.view = this.createView(route);
    for (const [id, link] of this.navLinks) {
      if (id === section(route)) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${this.view.title} · Shoal`;
    replaceChildren(this.main, this.view.element);
    void this.scheduler.now();
  }

  private createView(route: Route): View {
    switch (route.view) {
      case 'nodes':
        return new NodesView(this);
      case 'services':
        return new ServicesView(this);
      case 'service':
        return new ServiceDetailView(this, route.ref);
      case 'events':
        return new EventsView(this);
    }
  }

  private async reload(): Promise<void> {
    const view = this.view;
    if (!view || this.stopped) return;
    try {
      await view.refresh();
      this.lastLoadOk = true;
      this.banner.clear('load');
    } catch (err) {
      this.lastLoadOk = false;
      if (view === this.view && !this.stopped) this.banner.show('load', err, `Loading ${view.title.toLowerCase()}`);
    }
  }

  private onEvent(event: ShoalEvent): void {
    this.events.add(event);
    if (this.view?.affectedBy(event)) this.scheduler.request();
  }

  private showConnection(state: ConnectionState, detail: string): void {
    this.indicator.className = `conn ${state}`;
    this.indicator.dataset.state = state;
    this.indicator.title = detail;
    replaceChildren(this.indicator, h('span', { class: 'dot', attrs: { 'aria-hidden': 'true' } }), stateLabels[state]);
  }
}
