import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { startManager } from '../manager.js';
import { SqliteStore } from '../store/sqlite-store.js';

/**
 * Host access through the real manager: credentials, roles table, compose renderer, store. Each
 * role × service create and stack deploy, with the engine's socket and with an allowed path.
 */
test('binds of host paths over HTTP: owners and administrators only, others under the allowed paths; services and stacks alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-host-access-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  try {
    const m = await startManager({ store, logger: createLogger('test', 'silent'), dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, auth: 'required' });
    try {
      const admin = m.newAdmin ?? assert.fail('the first start makes an administrator');
      const call = async (auth: string, method: string, path: string, body?: unknown) => {
        const res = await fetch(`${m.url}${path}`, { method, headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; field?: string; message: string } } };
      };
      const adminAuth = `Basic ${Buffer.from(`${admin.accessKey}:${admin.secret}`).toString('base64')}`;
      const callers: Record<string, string> = { admin: adminAuth };
      for (const role of ['owner', 'member', 'restricted'] as const) {
        const password = `a long password for ${role}`;
        assert.equal((await call(adminAuth, 'POST', '/v1/accounts', { username: role, password })).status, 201);
        assert.equal((await call(adminAuth, 'PUT', `/v1/environments/default/members/${role}`, { role })).status, 200);
        const login = await fetch(`${m.url}/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: role, password }) });
        callers[role] = `Bearer ${((await login.json()) as { token: string }).token}`;
      }
      const service = (name: string, source: string) => ({ name, spec: { image: 'shoal-test/busybox:1', replicas: 0, mounts: [{ type: 'bind', source, target: '/host' }] } });
      const stack = (name: string, source: string) => ({ name, files: [{ name: 'compose.yaml', content: `services:\n  agent:\n    image: shoal-test/busybox:1\n    deploy:\n      replicas: 0\n    volumes:\n      - ${source}:/host\n` }] });
      const names = async (): Promise<string[]> => ((await call(adminAuth, 'GET', '/v1/services')).body as unknown as { name: string }[]).map((s) => s.name).sort();

      const refused = (res: Awaited<ReturnType<typeof call>>, field: string, who: string): void => {
        assert.equal(res.status, 403, `${who}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error?.code, 'permission_denied');
        assert.equal(res.body.error?.field, field);
        assert.match(res.body.error?.message ?? '', /host:mount/);
      };
      for (const who of ['member', 'restricted']) {
        refused(await call(callers[who] ?? '', 'POST', '/v1/services', service(`svc-${who}`, '/var/run/docker.sock')), 'spec.mounts[0].source', who);
        refused(await call(callers[who] ?? '', 'POST', '/v1/stacks', stack(`st-${who}`, '/var/run/docker.sock')), 'services.agent.volumes[0]', who);
        assert.equal((await call(callers[who] ?? '', 'GET', `/v1/stacks/st-${who}`)).status, 404, 'no stack stored');
      }
      assert.deepEqual(await names(), [], 'nothing stored by the refusals');
      for (const who of ['owner', 'admin']) {
        assert.equal((await call(callers[who] ?? '', 'POST', '/v1/services', service(`svc-${who}`, '/var/run/docker.sock'))).status, 201, who);
        assert.equal((await call(callers[who] ?? '', 'POST', '/v1/stacks', stack(`st-${who}`, '/var/run/docker.sock'))).status, 200, who);
      }

      // Only administrators set the allowed paths; then every role that writes services binds under them.
      for (const who of ['owner', 'member', 'restricted']) {
        assert.equal((await call(callers[who] ?? '', 'PUT', '/v1/environments/default/host-paths', { paths: ['/srv/data'] })).status, 403, who);
      }
      const set = await call(adminAuth, 'PUT', '/v1/environments/default/host-paths', { paths: ['/srv/data/'] });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body.allowedHostPaths, ['/srv/data']);
      const seen = await call(callers.restricted ?? '', 'GET', '/v1/environments/default');
      assert.deepEqual(seen.body.allowedHostPaths, ['/srv/data'], 'every role sees what it may bind');
      assert.equal((await call(adminAuth, 'PUT', '/v1/environments/default/host-paths', { paths: ['/srv/../etc'] })).body.error?.field, 'paths[0]');
      for (const who of ['member', 'restricted']) {
        assert.equal((await call(callers[who] ?? '', 'POST', '/v1/services', service(`ok-${who}`, '/srv/data/app'))).status, 201, who);
        assert.equal((await call(callers[who] ?? '', 'POST', '/v1/stacks', stack(`ok-${who}`, '/srv/data/app'))).status, 200, who);
        refused(await call(callers[who] ?? '', 'POST', '/v1/services', service(`db-${who}`, '/srv/database')), 'spec.mounts[0].source', who);
        refused(await call(callers[who] ?? '', 'POST', '/v1/stacks', stack(`sock-${who}`, '/var/run/docker.sock')), 'services.agent.volumes[0]', who);
      }
      assert.deepEqual(await names(), ['ok-member', 'ok-restricted', 'ok-member_agent', 'ok-restricted_agent', 'st-admin_agent', 'st-owner_agent', 'svc-admin', 'svc-owner'].sort());
    } finally {
      await m.stop();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
