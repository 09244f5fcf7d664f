import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limits } from '../../api/limits.js';
import { createLogger } from '../../lib/logger.js';
import { loopbackAuthorizer } from './authorizer.js';
import type { RouteDef } from './route.js';
import { createHttpServer } from './server.js';

const echo: RouteDef = { method: 'POST', url: '/v1/echo', permission: 'service:write', handler: ({ body }) => Promise.resolve({ got: typeof body }) };

test('a body over the limit gets 413 whose message names the limit', async () => {
  for (const [bodyLimitBytes, named] of [
    [undefined, '1 MiB'],
    [4 * 1024, '4 KiB'],
  ] as const) {
    const app = createHttpServer({ routes: [echo], authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent'), ...(bodyLimitBytes ? { bodyLimitBytes } : {}) });
    const size = (bodyLimitBytes ?? limits.requestBodyBytes) + 10;
    const res = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'x'.repeat(size) }) });
    assert.equal(res.statusCode, 413);
    assert.deepEqual(res.json(), { error: { code: 'payload_too_large', message: `request body is larger than the ${named} limit` } });
    const small = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(small.statusCode, 200);
    await app.close();
  }
});
