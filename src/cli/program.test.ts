import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeObject, TaskObject } from '../api/objects.js';
import { serviceSpecSchema, type ServiceSpec } from '../api/service-spec.js';
import type { ServiceView } from '../client/types.js';
import { run } from './program.js';
import { captureIo, makeService, makeTask } from './test-fixtures.test.js';

/**
 * A fake manager just real enough for whole commands: tasks move one state forward per poll,
 * and an update to the image "bad" pauses.
 */
class FakeManager {
  services = new Map<string, ServiceView>();
  tasks: TaskObject[] = [];
  requests: { method: string; url: string; body: unknown }[] = [];
  conflictsLeft = 0;
  node: NodeObject = {
    id: 'node1', env: 'default', version: 1, createdAt: '', updatedAt: '', hostname: 'host-a', role: 'manager',
    availability: 'active', labels: {}, status: { state: 'ready', message: '', address: '', timestamp: '' },
    resources: { nanoCpus: 4e9, memoryBytes: 8e9 }, engine: { version: '27.0.1', os: 'linux', arch: 'x86_64' },
  };

  handle(method: string, path: string, body: unknown): [number, unknown] {
    const parts = path.split('/').filter(Boolean);
    const svc = parts[2] ? [...this.services.values()].find((s) => s.id === parts[2] || s.name === parts[2]) : undefined;
    if (parts[2] && parts[1] === 'services' && !svc) return [404, { error: { code: 'not_found', message: `service "${parts[2]}" not found` } }];
    const route = `${method} /${parts.slice(0, 2).join('/')}${parts[3] ? `/:ref/${parts[3]}` : parts[2] ? '/:ref' : ''}`;
    switch (route) {
      case 'POST /v1/services': {
        const b = body as { name: string; spec: ServiceSpec };
        const s = makeService({ id: `id-${b.name}`, name: b.name }, b.spec);
        this.services.set(s.id, s);
        this.place(s);
        return [201, s];
      }
      case 'GET /v1/services/:ref':
        return [200, svc];
      case 'GET /v1/nodes':
        return [200, [this.node]];
      case 'GET /v1/tasks':
        this.advance();
        return [200, this.tasks];
      case 'POST /v1/services/:ref/update': {
        if (!svc) break;
        const b = body as { version: number; spec: ServiceSpec };
        if (this.conflictsLeft-- > 0 || b.version !== svc.version) return [409, { error: { code: 'conflict', message: 'version: stale', field: 'version' } }];
        for (const t of this.tasks) if (t.serviceId === svc.id) t.desiredState = 'shutdown';
        Object.assign(svc, {
          spec: serviceSpecSchema.parse(b.spec), version: svc.version + 1, specVersion: svc.specVersion + 1,
          updateStatus: { state: 'updating', startedAt: 'now', message: 'update in progress', targetSpecVersion: svc.specVersion + 1 },
        });
        this.place(svc);
        return [200, svc];
      }
      case 'POST /v1/services/:ref/scale':
        if (!svc) break;
        svc.spec.replicas = (body as { replicas: number }).replicas;
        this.place(svc);
        return [200, svc];
    }
    return [404, { error: { code: 'not_found', message: `no route ${route}` } }];
  }

  place(s: ServiceView): void {
    const have = this.tasks.filter((t) => t.serviceId === s.id && t.desiredState === 'running').length;
    for (let slot = have + 1; slot <= s.spec.replicas; slot++) {
      this.tasks.push(makeTask(slot, 'pending', { serviceId: s.id, serviceName: s.name, specVersion: s.specVersion, spec: s.spec }));
    }
  }

  advance(): void {
    for (const t of this.tasks) {
      if (t.desiredState !== 'running') continue;
      if (t.spec.image === 'bad') t.status = { state: 'rejected', message: '', error: 'No such image: bad', timestamp: '' };
      else if (t.status.state === 'pending') t.status = { state: 'starting', message: '', timestamp: '2024-01-01T00:00:00.000Z' };
      else if (t.status.state === 'starting') t.status = { state: 'running', message: '', timestamp: '2024-01-01T00:00:00.000Z' };
    }
    for (const s of this.services.values()) {
      const live = this.tasks.filter((t) => t.serviceId === s.id && t.desiredState === 'running');
      s.replicas = { running: live.filter((t) => t.status.state === 'running').length, desired: s.spec.replicas };
      if (s.updateStatus?.state !== 'updating') continue;
      if (live.some((t) => t.status.state === 'rejected')) s.updateStatus = { ...s.updateStatus, state: 'paused', message: 'task rejected: No such image: bad' };
      else if (s.replicas.running === s.spec.replicas) s.updateStatus = { ...s.updateStatus, state: 'completed' };
    }
  }
}

const fake = new FakeManager();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    const [status, value] = fake.handle(req.method ?? '', url.pathname, body);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

const shoal = async (...args: string[]) => {
  const io = captureIo({ env: { SHOAL_HOST: host, SHOAL_CONFIG: '/nonexistent/config.json' } });
  const code = await run(['node', 'shoal', ...args], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
};

test('service create waits for convergence, printing a line per change', async () => {
  const r = await shoal('service', 'create', '--name', 'web', '--replicas', '2', '-p', '8080:80', '-e', 'A=1', 'nginx:1.25', 'nginx', '-g', 'daemon off;');
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  const lines = r.out.trim().split('\n');
  assert.equal(lines[0], 'id-web');
  assert.ok(lines.includes('web: 0/2 running  [--]'), r.out);
  assert.equal(lines[lines.length - 2], 'web: 2/2 running  [##]');
  assert.equal(lines[lines.length - 1], 'web: converged');
  const body = fake.requests.find((q) => q.method === 'POST')?.body as { name: string; spec: ServiceSpec };
  assert.deepEqual(body.spec.args, ['nginx', '-g', 'daemon off;']);
  assert.deepEqual(body.spec.env, { A: '1' });
  assert.equal(body.spec.ports[0]?.published, 8080);
});

test('service ps prints the task table; --format json prints JSON', async () => {
  const r = await shoal('service', 'ps', 'web');
  assert.equal(r.code, 0, r.err);
  const [header, first] = r.out.split('\n');
  assert.match(header ?? '', /^ID +NAME +IMAGE +NODE +DESIRED STATE +CURRENT STATE +ERROR$/);
  assert.match(first ?? '', /web\.1 +nginx:1\.25 +host-a +Running +Running 10 seconds ago/);
  const json = await shoal('service', 'ps', 'web', '--format', 'json');
  assert.equal((JSON.parse(json.out) as unknown[]).length, 2);
});

test('service update sends the modified spec with the version read, retrying a conflict', async () => {
  fake.conflictsLeft = 1;
  const r = await shoal('service', 'update', '--image', 'nginx:1.26', '--env-add', 'B=2', 'web');
  assert.equal(r.code, 0, r.err);
  const updates = fake.requests.filter((q) => q.url.endsWith('/update'));
  assert.equal(updates.length, 2);
  const body = updates[1]?.body as { version: number; spec: ServiceSpec };
  assert.equal(body.version, 1);
  assert.equal(body.spec.image, 'nginx:1.26');
  assert.deepEqual(body.spec.env, { A: '1', B: '2' });
  assert.match(r.out, /web: converged\n$/);
});

test('a paused update exits 1 with its message and the task errors', async () => {
  const r = await shoal('service', 'update', '--image', 'bad', 'web');
  assert.equal(r.code, 1);
  assert.match(r.out, /web\.\d: rejected: No such image: bad/);
  assert.equal(r.err, 'shoal: web: update paused: task rejected: No such image: bad\n');
});

test('errors are one line on stderr with exit code 1', async () => {
  assert.deepEqual(await shoal('service', 'inspect', 'nope'), { code: 1, out: '', err: 'shoal: service "nope" not found\n' });
  const bad = await shoal('service', 'create', '-p', '80:abc', 'nginx');
  assert.deepEqual(bad, { code: 1, out: '', err: 'shoal: --publish "80:abc": "abc" is not a valid port\n' });
  const usage = await shoal('service', 'scale');
  assert.equal(usage.code, 1);
  assert.equal(usage.err.split('\n').length, 2);
  assert.equal((await shoal('--version')).code, 0);
});

test('a bad --cluster-cidr is refused before anything starts', async () => {
  assert.deepEqual(await shoal('up', '--data-dir', '/nonexistent/shoal', '--cluster-cidr', '10.240.0.0/17'), {
    code: 1,
    out: '',
    err: 'shoal: --cluster-cidr "10.240.0.0/17": the prefix must be /8 to /16 (each node takes a /20 of it, so a /16 holds 16 nodes)\n',
  });
  const manager = await shoal('manager', '--init', '--data-dir', '/nonexistent/shoal', '--cluster-cidr', '10.240.1.0/16');
  assert.deepEqual(manager, { code: 1, out: '', err: 'shoal: --cluster-cidr "10.240.1.0/16": has host bits set: did you mean 10.240.0.0/16?\n' });
});

test('node ls and scale --detach', async () => {
  const nodes = await shoal('node', 'ls');
  assert.match(nodes.out, /^ID +HOSTNAME +STATUS +AVAILABILITY +ROLE +ENGINE\nnode1 +host-a +Ready +Active +manager +27\.0\.1\n$/);
  const scaled = await shoal('service', 'scale', 'web=3', '--detach');
  assert.deepEqual(scaled, { code: 0, out: 'web scaled to 3\n', err: '' });
});
