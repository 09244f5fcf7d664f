import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { loopbackAuthorizer } from './authorizer.js';
import { buildRoutes, type RouteDeps } from './routes.js';
import { createHttpServer } from './server.js';

// No components behind the routes: a query that gets past the check reaches a missing one and
// fails with 500, so every 400 below comes from the check alone.
const routes = buildRoutes({} as RouteDeps);
const app = createHttpServer({ routes, authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent') });

async function call(method: string, url: string): Promise<{ status: number; field?: string; message?: string }> {
  const res = await app.inject({ method: method as 'GET', url });
  const body = res.json<{ error?: { field?: string; message?: string } }>();
  return { status: res.statusCode, ...(body.error?.field !== undefined ? { field: body.error.field } : {}), ...(body.error?.message !== undefined ? { message: body.error.message } : {}) };
}

test('every route refuses a query parameter it does not take, naming it', async () => {
  for (const route of routes) {
    const url = route.url.replace(/:[a-zA-Z]+/g, 'x');
    const answer = await call(route.method, `${url}?env=default&colour=red`);
    assert.equal(answer.status, 400, `${route.method} ${route.url}: ${JSON.stringify(answer)}`);
    assert.equal(answer.field, 'colour', `${route.method} ${route.url}`);
  }
});

test('unknown choices, numbers out of bounds and oversized page sizes are 400 naming the parameter', async () => {
  const cases: [string, string, string, RegExp][] = [
    ['GET', '/v1/events?kind=bogus', 'kind', /must be one of service, task, node/],
    ['GET', '/v1/events?since=-1', 'since', /whole number/],
    ['GET', '/v1/events?since=1e3', 'since', /whole number/],
    ['GET', '/v1/audit?action=bogus', 'action', /must be one of create, update/],
    ['GET', '/v1/audit?action=create,bogus', 'action', /must be one of/],
    ['GET', '/v1/audit/cluster?limit=10001', 'limit', /at most 10000/],
    ['GET', '/v1/services/web/logs?tail=10001', 'tail', /at most 10000/],
    ['GET', '/v1/services/web/logs?follow=yes', 'follow', /true or false/],
    ['DELETE', '/v1/nodes/n1?force=maybe', 'force', /true or false/],
    ['GET', '/v1/configs/c?content=2', 'content', /true or false/],
    ['GET', `/v1/services?name=${'a'.repeat(201)}`, 'name', /at most 200 characters/],
    ['GET', `/v1/tasks?service=${'a'.repeat(201)}`, 'service', /at most 200 characters/],
    ['GET', `/v1/dns/lookup?name=${'a'.repeat(254)}`, 'name', /at most 253 characters/],
  ];
  for (const [method, url, field, message] of cases) {
    const answer = await call(method, url);
    assert.equal(answer.status, 400, `${method} ${url}: ${JSON.stringify(answer)}`);
    assert.equal(answer.field, field, `${method} ${url}`);
    assert.match(answer.message ?? '', message, `${method} ${url}`);
  }
});

test('valid parameters pass the check (and reach the missing component: 500 here)', async () => {
  for (const url of ['/v1/audit?action=create,login-failed&limit=10000', '/v1/services/web/logs?tail=10000&follow=false', '/v1/tasks?service=web&node=n1&env=default', '/v1/events?kind=task&since=', '/v1/nodes']) {
    assert.equal((await call('GET', url)).status, 500, url);
  }
});
