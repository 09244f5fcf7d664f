import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildRoutes, type RouteDeps } from './routes.js';

test('docs/API.md lists exactly the routes the server has, with the same permissions', () => {
  const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| (GET|POST|PATCH|PUT|DELETE) \| (\/\S+) \| ([a-z:]+) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
  const routes = buildRoutes({} as RouteDeps).map((r) => `${r.method} ${r.url} ${r.permission}`).sort();
  assert.ok(routes.length > 10);
  assert.deepEqual(documented, routes);
});
