/** Hash routes: #/nodes, #/services, #/services/ID, #/events. */
export type Route = { view: 'nodes' } | { view: 'services' } | { view: 'service'; ref: string } | { view: 'events' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'nodes':
      return { view: 'nodes' };
    case 'events':
      return { view: 'events' };
    case 'services':
      return parts[1] ? { view: 'service', ref: decodeURIComponent(parts[1]) } : { view: 'services' };
    default:
      return { view: 'services' };
  }
}

export function routeHash(route: Route): string {
  return route.view === 'service' ? `#/services/${encodeURIComponent(route.ref)}` : `#/${route.view}`;
}

/** The nav entry a route belongs to. */
export const section = (route: Route): 'nodes' | 'services' | 'events' => (route.view === 'service' ? 'services' : route.view);
