import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditEntry, AuditVerifyResult } from '../../api/audit.js';
import { createLogger } from '../../lib/logger.js';
import { entryId } from '../audit/audit-records.js';
import { startManager } from '../manager.js';
import { SqliteStore } from '../store/sqlite-store.js';

test('the audit API: writes record actor and source, logins succeed and fail on record, filters, roles, verify', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-audit-http-'));
  const store = new SqliteStore(join(dir, 'shoal.db'));
  const m = await startManager({ store, logger: createLogger('test', 'silent'), dataDir: join(dir, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, auth: 'required', createAdmin: true });
  try {
    const admin = m.newAdmin;
    assert.ok(admin);
    const call = async <T>(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; json: T }> => {
      const res = await fetch(`${m.url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as T };
    };
    assert.equal((await call('POST', '/v1/login', {}, { username: admin.username, password: 'not the password at all' })).status, 401);
    const { json: session } = await call<{ token: string }>('POST', '/v1/login', {}, { username: admin.username, password: admin.password });
    const bearer = { authorization: `Bearer ${session.token}` };
    const { json: key } = await call<{ accessKey: string; secret: string }>('POST', '/v1/apikeys', bearer, { name: 'ci', role: 'member' });
    const basic = { authorization: `Basic ${Buffer.from(`${key.accessKey}:${key.secret}`).toString('base64')}` };
    assert.equal((await call('POST', '/v1/services', basic, { name: 'web', spec: { image: 'nginx:1', replicas: 1 } })).status, 201);
    assert.equal((await call('POST', '/v1/services/web/scale', basic, { replicas: 2 })).status, 200);

    // The environment's history: the key's writes, with the key as actor and the client's address.
    const { status, json } = await call<{ entries: AuditEntry[] }>('GET', '/v1/audit?object=service/web', basic);
    assert.equal(status, 200);
    assert.deepEqual(json.entries.map((e) => [e.action, e.actor, e.source]), [
      ['create', `apikey:${key.accessKey}`, '127.0.0.1'],
      ['scale', `apikey:${key.accessKey}`, '127.0.0.1'],
    ]);
    assert.equal((await call<{ entries: AuditEntry[] }>('GET', `/v1/audit?actor=${key.accessKey}&action=scale`, basic)).json.entries.length, 1);
    assert.ok((await call<{ entries: AuditEntry[] }>('GET', '/v1/audit?since=1h', basic)).json.entries.every((e) => e.env === 'default'));

    // Logins (cluster-wide) are for administrators.
    const cluster = (await call<{ entries: AuditEntry[] }>('GET', '/v1/audit/cluster?object=account', bearer)).json.entries;
    const logins = cluster.filter((e) => e.action.startsWith('login')).map((e) => [e.action, e.actor, e.source, e.object.name]);
    assert.deepEqual(logins, [
      ['login-failed', 'anonymous', '127.0.0.1', admin.username],
      ['login', `account:${admin.username}`, '127.0.0.1', admin.username],
    ]);
    assert.equal((await call('GET', '/v1/audit/cluster', basic)).status, 403);
    assert.equal((await call('GET', '/v1/audit/verify', basic)).status, 403);
    assert.equal((await call('GET', '/v1/audit')).status, 401);

    const bad = await call<{ error: { code: string; field: string } }>('GET', '/v1/audit?since=soon', basic);
    assert.deepEqual([bad.status, bad.json.error.field], [400, 'since']);

    const verified = await call<AuditVerifyResult>('GET', '/v1/audit/verify', bearer);
    assert.equal(verified.json.ok, true);
    assert.ok(verified.json.checked >= 5);
    // Someone with access to the database edits the scale entry's spec: verify names it.
    const scale = json.entries[1];
    assert.ok(scale);
    const stored = await store.get<AuditEntry>('audit', entryId(scale.seq));
    assert.ok(stored);
    const edited: AuditEntry = { ...stored, details: { from: 1, to: 1 } };
    await store.commit([{ op: 'put', kind: 'audit', value: edited }], { actor: 'intruder' });
    assert.deepEqual((await call<AuditVerifyResult>('GET', '/v1/audit/verify', bearer)).json.firstBad, { seq: scale.seq, reason: 'hash mismatch' });

    const everything = JSON.stringify((await call('GET', '/v1/audit/cluster?limit=10000', bearer)).json);
    for (const secret of [admin.password, session.token, key.secret]) assert.ok(!everything.includes(secret), 'no credential in the audit history');
  } finally {
    await m.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
