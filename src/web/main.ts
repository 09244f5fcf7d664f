import { SessionGate } from './session-gate.js';

/** Browser entry point (bundled to dist/web/app.js). `?env=NAME` picks the environment. */
const root = document.getElementById('app');
if (root) {
  const env = new URLSearchParams(location.search).get('env') ?? undefined;
  void new SessionGate(root, { baseUrl: location.origin, ...(env ? { env } : {}) }).start();
}
