import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { EmbeddedCluster } from './harness/embedded-cluster.js';
import { uniqueName, webSpec } from './harness/service-specs.js';
import { waitFor } from './harness/wait.js';

interface Case {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  status: number;
  field?: string;
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  const cluster = new EmbeddedCluster();
  const existing = uniqueName('existing');
  before(async () => {
    await cluster.start();
    await cluster.client.createService({ name: existing, spec: webSpec({ replicas: 1 }) });
    await waitFor('1 running', async () => (await cluster.runningTasks(existing)).length === 1);
  });
  after(async () => {
    await cluster.destroy();
  });

  const spec = { image: 'shoal-test/busybox:1' };
  const cases: Case[] = [
    { what: 'body that is not JSON', method: 'POST', path: '/v1/services', raw: '{"name": ', status: 400, field: 'body' },
    { what: 'missing name', method: 'POST', path: '/v1/services', body: { spec }, status: 400, field: 'name' },
    { what: 'bad name', method: 'POST', path: '/v1/services', body: { name: '-x y', spec }, status: 400, field: 'name' },
    { what: 'missing image', method: 'POST', path: '/v1/services', body: { name: 'a', spec: {} }, status: 400, field: 'spec.image' },
    { what: 'negative replicas', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, replicas: -1 } }, status: 400, field: 'spec.replicas' },
    { what: 'replicas of the wrong type', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, replicas: '3' } }, status: 400, field: 'spec.replicas' },
    { what: 'port out of range', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, ports: [{ target: 80, published: 70000 }] } }, status: 400, field: 'spec.ports[0].published' },
    { what: 'bad constraint syntax', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, placement: { constraints: ['node.labels.zone=a'] } } }, status: 400, field: 'spec.placement.constraints[0]' },
    { what: 'unknown constraint key', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, placement: { constraints: ['node.color==red'] } } }, status: 400, field: 'spec.placement.constraints[0]' },
    { what: 'unknown field', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, replica: 2 } }, status: 400, field: 'spec' },
    { what: 'bad restart condition', method: 'POST', path: '/v1/services', body: { name: 'a', spec: { ...spec, restartPolicy: { condition: 'sometimes' } } }, status: 400, field: 'spec.restartPolicy.condition' },
    { what: 'duplicate service name', method: 'POST', path: '/v1/services', body: { name: existing, spec }, status: 409, field: 'name' },
    { what: 'unknown service', method: 'GET', path: '/v1/services/nope-not-here', status: 404 },
    { what: 'update of an unknown service', method: 'POST', path: '/v1/services/nope-not-here/update', body: { spec }, status: 404 },
    { what: 'negative scale', method: 'POST', path: `/v1/services/${existing}/scale`, body: { replicas: -2 }, status: 400, field: 'replicas' },
    { what: 'stale version on update', method: 'POST', path: `/v1/services/${existing}/update`, body: { version: 1, spec: { ...spec, image: 'shoal-test/busybox:2' } }, status: 409, field: 'version' },
    { what: 'rollback without a previous spec', method: 'POST', path: `/v1/services/${existing}/rollback`, body: {}, status: 409 },
    { what: 'unknown node', method: 'PATCH', path: '/v1/nodes/no-such-node', body: { availability: 'drain' }, status: 404 },
    { what: 'bad availability', method: 'PATCH', path: '/v1/nodes/NODE', body: { availability: 'sleep' }, status: 400, field: 'availability' },
    { what: 'removing a label the node lacks', method: 'PATCH', path: '/v1/nodes/NODE', body: { labelsRemove: ['zone'] }, status: 400, field: 'labelsRemove' },
    { what: 'events from a revision that is not a number', method: 'GET', path: '/v1/events?since=abc', status: 400, field: 'since' },
    { what: 'events of a kind that does not exist', method: 'GET', path: '/v1/events?kind=bogus', status: 400, field: 'kind' },
    { what: 'audit entries of an action that does not exist', method: 'GET', path: '/v1/audit?action=bogus', status: 400, field: 'action' },
    { what: 'a query parameter the route does not take', method: 'GET', path: '/v1/tasks?srvice=web', status: 400, field: 'srvice' },
    { what: 'more log lines than a request may ask for', method: 'GET', path: '/v1/services/x/logs?tail=1000000', status: 400, field: 'tail' },
    { what: 'a bad environment name', method: 'GET', path: '/v1/services?env=../x', status: 400, field: 'env' },
  ];

  for (const c of cases) {
    test(`${c.what} → ${c.status}${c.field ? ` naming ${c.field}` : ''}`, async () => {
      const snapshot = async () => JSON.stringify([await cluster.client.listServices(), await cluster.client.listNodes()].map((l) => l.map((o) => ({ ...o, status: undefined, replicas: undefined }))));
      const beforeState = await snapshot();
      const path = c.path.replace('NODE', cluster.nodeId);
      const hasBody = c.raw !== undefined || c.body !== undefined;
      const res = await fetch(cluster.url + path, {
        method: c.method,
        headers: { authorization: cluster.authorization, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
        body: c.raw ?? (c.body !== undefined ? JSON.stringify(c.body) : null),
      });
      const body = (await res.json()) as { error?: { code: string; message: string; field?: string } };
      assert.equal(res.status, c.status, JSON.stringify(body));
      assert.ok(body.error?.message, 'a readable message');
      if (c.field) assert.equal(body.error?.field, c.field);
      assert.equal(await snapshot(), beforeState, 'nothing stored changed');
    });
  }

  // The manager answers 413 from the declared length, before reading the body, and closes the
  // connection. A client still sending a large body then races that close (EPIPE/ECONNRESET
  // instead of the answer), so this one sends only the start of what it declares and waits.
  test('a body over the size limit → 413, answered from its content-length', async () => {
    const snapshot = async () => JSON.stringify((await cluster.client.listServices()).map((s) => ({ ...s, replicas: undefined })));
    const beforeState = await snapshot();
    const answer = await postDeclaringLength(`${cluster.url}/v1/services`, cluster.authorization, 64 * 1024 * 1024, '{"name": "big", "spec": {"image": "shoal-test/busybox:1", "env": {"X": "xxxx');
    assert.equal(answer.status, 413, answer.body);
    const body = JSON.parse(answer.body) as { error?: { code: string; message: string } };
    assert.equal(body.error?.code, 'payload_too_large');
    assert.equal(body.error.message, 'request body is larger than the 1 MiB limit');
    assert.equal(await snapshot(), beforeState, 'nothing stored changed');
  });

  test('the manager is still healthy after all of it', async () => {
    assert.equal((await cluster.client.health()).status, 'ok');
    assert.equal((await cluster.runningTasks(existing)).length, 1);
  });
});

/**
 * POSTs `start` under a content-length of `declared` bytes and resolves with the answer the
 * server gives before the rest arrives (the rest is never sent).
 */
function postDeclaringLength(url: string, authorization: string, declared: number, start: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization, 'content-type': 'application/json', 'content-length': String(declared) } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write(start);
  });
}
