import { ShoalClient } from '../client/shoal-client.js';
import { App } from './app.js';

/** Browser entry point (bundled to dist/web/app.js). `?env=NAME` picks the environment. */
const root = document.getElementById('app');
if (root) {
  const env = new URLSearchParams(location.search).get('env') ?? undefined;
  new App(root, new ShoalClient({ baseUrl: location.origin, ...(env ? { env } : {}) })).start();
}
