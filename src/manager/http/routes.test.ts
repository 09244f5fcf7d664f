import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { granteesText, rolePermissions } from '../auth/role-permissions.js';
import type { Permission } from './route.js';
import { buildRoutes, type RouteDeps } from './routes.js';

// The route table of docs/API.md is generated from the code: these are its first four columns
// (the description is prose). On a mismatch, the message prints the rows to paste.
const rowOf = (method: string, url: string, permission: Permission): string => `| ${method} | ${url} | ${permission} | ${granteesText(permission)} |`;

test('docs/API.md lists exactly the routes the server has, with their permissions and the roles granted', () => {
  const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^(\| (?:GET|POST|PATCH|PUT|DELETE) \| \/\S+ \| [a-z:]+ \| [a-z, ]+ \|)/gm)].map((m) => m[1] ?? '').sort();
  const routes = buildRoutes({} as RouteDeps).map((r) => rowOf(r.method, r.url, r.permission)).sort();
  assert.ok(routes.length > 10);
  assert.deepEqual(documented, routes, `expected rows:\n${routes.join('\n')}`);
});

test('docs/API.md states every permission with the roles of the table', () => {
  const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
  for (const permission of Object.keys(rolePermissions) as Permission[]) {
    assert.ok(doc.includes(`| ${permission} | ${granteesText(permission)} |`), `docs/API.md lacks the row "| ${permission} | ${granteesText(permission)} |"`);
  }
});
