import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ShoalError } from '../api/errors.js';
import type { ShoalEvent } from '../api/events.js';
import { ShoalClient } from './shoal-client.js';

interface Seen {
  method: string;
  url: string;
  body: string;
  auth?: string;
}
const seen: Seen[] = [];
let sseClosed = false;

function handler(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method ?? '', url: req.url ?? '', body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
  const url = new URL(req.url ?? '/', 'http://x');
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  switch (url.search === '?since=9' ? `${req.method} ${url.pathname}${url.search}` : `${req.method} ${url.pathname}`) {
    case 'GET /v1/info':
      return json(200, { version: '0.1.0', revision: 'abc', nodes: 1, services: 2 });
    case 'POST /v1/services':
      return json(400, { error: { code: 'invalid_argument', message: 'spec.replicas: must not be negative', field: 'spec.replicas' } });
    case 'GET /v1/services/missing':
      return json(404, { error: { code: 'not_found', message: 'service "missing" not found' } });
    case 'POST /v1/services/web/update':
      return json(409, { error: { code: 'conflict', message: 'version: service changed', field: 'version' } });
    case 'GET /v1/services/web%2Fx':
      return json(200, { id: 'x' });
    case 'GET /v1/nodes':
      res.writeHead(502, { 'content-type': 'text/html' });
      return void res.end('<html>Bad gateway</html>');
    case 'GET /v1/events': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': hello\n\n');
      const event: ShoalEvent = { revision: 5, time: 't', env: 'default', actor: 'a', action: 'service.create', kind: 'service', objectId: 'o', attributes: {} };
      res.write(`id: 5\nevent: shoal\ndata: ${JSON.stringify(event)}\n\n`);
      res.write(`id: 6\nevent: shoal\ndata: ${JSON.stringify({ ...event, revision: 6 })}\n\n`);
      req.on('close', () => (sseClosed = true));
      return; // stays open, like the real stream
    }
    case 'GET /v1/events?since=9': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event: ShoalEvent = { revision: 10, time: 't', env: 'default', actor: 'a', action: 'service.create', kind: 'service', objectId: 'o', attributes: {} };
      res.write(`id: 10\nevent: shoal\ndata: ${JSON.stringify(event)}\n\n`);
      return void res.end('event: dropped\ndata: {"reason":"client too slow: more than 4 MiB unread"}\n\n');
    }
    case 'GET /v1/services/web/logs':
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"task":"t1","slot":1,"nodeId":"n1","stream":"stdout","time":"t","text":"hi"}\n');
      res.end('{"error":{"code":"unavailable","message":"node n1 went away"}}\n');
      return;
    default:
      return json(404, { error: { code: 'not_found', message: 'no route' } });
  }
}

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => handler(req, res, body));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => {
  server.closeAllConnections();
  server.close();
});

const isShoalError = (code: string, field?: string) => (e: unknown) =>
  e instanceof ShoalError && e.code === code && e.field === field;

test('typed success and the env query parameter', async () => {
  const client = new ShoalClient({ baseUrl: `${baseUrl}/`, env: 'prod', apiKey: { accessKey: 'ak', secret: 's' } });
  assert.deepEqual(await client.info(), { version: '0.1.0', revision: 'abc', nodes: 1, services: 2 });
  const last = seen[seen.length - 1];
  assert.equal(last?.url, '/v1/info?env=prod');
  assert.equal(last?.auth, `Basic ${Buffer.from('ak:s').toString('base64')}`);
});

test('error bodies become ShoalErrors with code and field', async () => {
  const client = new ShoalClient({ baseUrl });
  await assert.rejects(client.createService({ name: 'web', spec: { image: 'x', replicas: -1 } }), isShoalError('invalid_argument', 'spec.replicas'));
  assert.deepEqual(JSON.parse(seen[seen.length - 1]?.body ?? ''), { name: 'web', spec: { image: 'x', replicas: -1 } });
  await assert.rejects(client.getService('missing'), isShoalError('not_found'));
  await assert.rejects(client.updateService('web', { version: 3, spec: { image: 'x' } }), isShoalError('conflict', 'version'));
  await assert.rejects(client.listNodes(), (e: unknown) => e instanceof ShoalError && e.code === 'unavailable' && /HTTP 502/.test(e.message));
});

test('refs are escaped into one path segment', async () => {
  assert.deepEqual(await new ShoalClient({ baseUrl }).getService('web/x'), { id: 'x' });
});

test('an unreachable manager is one clear error', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new ShoalClient({ baseUrl: `http://127.0.0.1:${port}` });
  await assert.rejects(client.info(), (e: unknown) =>
    e instanceof ShoalError && e.code === 'unavailable' && e.message.startsWith(`cannot reach the Shoal manager at http://127.0.0.1:${port}: `) && /ECONNREFUSED/.test(e.message),
  );
  assert.throws(() => new ShoalClient({ baseUrl: 'not a url' }), isShoalError('invalid_argument', 'host'));
});

test('events: typed, from a revision, ended by the signal', async () => {
  const client = new ShoalClient({ baseUrl });
  const abort = new AbortController();
  const got: number[] = [];
  for await (const e of client.events({ since: 4, kind: 'service', signal: abort.signal })) {
    got.push(e.revision);
    if (got.length === 2) abort.abort();
  }
  assert.deepEqual(got, [5, 6]);
  assert.match(seen[seen.length - 1]?.url ?? '', /^\/v1\/events\?since=4&kind=service$/);
  // Leaving the loop closes the connection, so the manager can stop its subscription.
  for (let i = 0; i < 50 && !sseClosed; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(sseClosed);
});

test('events: a stream the manager dropped ends in an error with its reason', async () => {
  const client = new ShoalClient({ baseUrl });
  const got: number[] = [];
  await assert.rejects(
    async () => {
      for await (const e of client.events({ since: 9 })) got.push(e.revision);
    },
    (e: unknown) => e instanceof ShoalError && e.code === 'resource_exhausted' && /client too slow: more than 4 MiB unread/.test(e.message),
  );
  assert.deepEqual(got, [10]);
});

test('logs: lines, then an error line becomes a ShoalError', async () => {
  const client = new ShoalClient({ baseUrl });
  const got: string[] = [];
  await assert.rejects(async () => {
    for await (const line of client.logs('web', { follow: true, tail: 10 })) got.push(line.text);
  }, isShoalError('unavailable'));
  assert.deepEqual(got, ['hi']);
  assert.match(seen[seen.length - 1]?.url ?? '', /follow=true&tail=10/);
});

test('auth routes: login carries no credential or env; environment routes act in the environment they name', async () => {
  const client = new ShoalClient({ baseUrl, env: 'prod', sessionToken: 'shoal-session-abc' });
  const last = (): Seen | undefined => seen[seen.length - 1];
  // The fake answers 404 to these; only what was sent matters here.
  await assert.rejects(client.login('alice', 'pw'), isShoalError('not_found'));
  assert.deepEqual([last()?.method, last()?.url, JSON.parse(last()?.body ?? '')], ['POST', '/v1/login', { username: 'alice', password: 'pw' }]);
  assert.equal(last()?.auth, 'Bearer shoal-session-abc');
  await assert.rejects(client.setMember('dev', 'alice', 'owner'), isShoalError('not_found'));
  assert.deepEqual([last()?.method, last()?.url, JSON.parse(last()?.body ?? '')], ['PUT', '/v1/environments/dev/members/alice?env=dev', { role: 'owner' }]);
  await assert.rejects(client.listAccounts(), isShoalError('not_found'));
  assert.equal(last()?.url, '/v1/accounts');
  await assert.rejects(client.revokeApiKey('ci'), isShoalError('not_found'));
  assert.deepEqual([last()?.method, last()?.url], ['DELETE', '/v1/apikeys/ci?env=prod']);
  await assert.rejects(client.listAudit({ since: '2024-01-01T00:00:00.000Z', actor: 'account:alice', object: 'service/web', limit: 5 }), isShoalError('not_found'));
  assert.equal(last()?.url, '/v1/audit?since=2024-01-01T00%3A00%3A00.000Z&actor=account%3Aalice&object=service%2Fweb&limit=5&env=prod');
  await assert.rejects(client.listClusterAudit({ action: 'login-failed' }), isShoalError('not_found'));
  assert.equal(last()?.url, '/v1/audit/cluster?action=login-failed');
});
