import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NodeObject } from '../../api/objects.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { readRevocations, revokeNodeOp, RevocationList } from './revocation.js';

const node = (id: string, serial: string): NodeObject =>
  ({ id, env: 'default', version: 0, hostname: id, certificate: { serial, notAfter: '' } }) as unknown as NodeObject;

test('revoking a node refuses its id and serial, on every manager watching the store', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-revoke-'));
  const store = new SqliteStore(join(dir, 'db'));
  const list = new RevocationList(store);
  await list.start();
  assert.equal(list.isRevoked('n1', 'ABC'), false);
  await store.commit([revokeNodeOp(await readRevocations(store), node('n1', '0abc'), new Date())], { actor: 't' });
  await store.commit([revokeNodeOp(await readRevocations(store), node('n2', 'def'), new Date())], { actor: 't' });
  for (let i = 0; i < 50 && !list.isRevoked('n2', ''); i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(list.isRevoked('n1', 'zzz'), true, 'by node id');
  assert.equal(list.isRevoked('other', 'ABC'), true, 'by serial, whatever the case and leading zeros');
  assert.equal(list.isRevoked('n2', ''), true);
  assert.equal(list.isRevoked('n3', '123'), false);
  const fresh = new RevocationList(store);
  await fresh.start();
  assert.equal(fresh.isRevoked('n1', ''), true, 'a manager starting later loads the list');
  list.stop();
  fresh.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});
