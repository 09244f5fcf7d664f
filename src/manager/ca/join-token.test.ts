import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatJoinToken, parseJoinToken } from '../../lib/pki/join-token-format.js';
import type { ClusterObject } from './cluster-object.js';
import { checkJoinToken, newStoredToken, newTokenSecret } from './join-token.js';
import { SecretBox } from './secret-box.js';

const caHash = 'ab'.repeat(32);
const box = SecretBox.forTest();
const now = new Date();

function cluster(): { cluster: ClusterObject; worker: string; manager: string } {
  const w = newStoredToken(caHash, box, now);
  const m = newStoredToken(caHash, box, now);
  return { cluster: { id: 'cluster', env: 'default', version: 1, createdAt: '', caCertificate: '', tokens: { worker: w.stored, manager: m.stored } }, worker: w.token, manager: m.token };
}

test('a token round-trips through its format: ca hash and 160-bit base32 secret', () => {
  const secret = newTokenSecret();
  assert.match(secret, /^[a-z2-7]{32}$/);
  assert.deepEqual(parseJoinToken(formatJoinToken(caHash, secret)), { caHash, secret });
  for (const bad of ['', 'SHOAL-1-W-abc', `SHOAL-2-${caHash}-${secret}`, `SHOAL-1-${caHash.slice(1)}-${secret}`, `SHOAL-1-${caHash}-${secret}x`]) {
    assert.equal(parseJoinToken(bad), undefined, bad);
  }
});

test('each token grants its role; wrong, malformed, foreign and rotated tokens are refused with a reason', () => {
  const c = cluster();
  assert.deepEqual(checkJoinToken(c.cluster, caHash, c.worker), { ok: true, role: 'worker', env: 'default' });
  assert.deepEqual(checkJoinToken(c.cluster, caHash, c.manager), { ok: true, role: 'manager', env: 'default' });
  const check = (token: unknown): string => {
    const r = checkJoinToken(c.cluster, caHash, token);
    assert.equal(r.ok, false);
    return r.ok ? '' : r.message;
  };
  assert.match(check('garbage'), /malformed/);
  assert.match(check(42), /required/);
  assert.match(check(formatJoinToken('cd'.repeat(32), newTokenSecret())), /another cluster/);
  assert.match(check(formatJoinToken(caHash, newTokenSecret())), /wrong, or rotated/);
  const rotated = newStoredToken(caHash, box, now);
  const after = { ...c.cluster, tokens: { ...c.cluster.tokens, worker: rotated.stored } };
  assert.equal(checkJoinToken(after, caHash, c.worker).ok, false, 'the old worker token no longer joins');
  assert.deepEqual(checkJoinToken(after, caHash, rotated.token), { ok: true, role: 'worker', env: 'default' });
});

test('an environment\'s worker token joins that environment, names the incarnation it was made for, and is its own', () => {
  const c = cluster();
  const prod = newStoredToken(caHash, box, now);
  const dev = newStoredToken(caHash, box, now);
  const withEnvs: ClusterObject = {
    ...c.cluster,
    environmentTokens: { prod: { ...prod.stored, envCreatedAt: 'p1' }, dev: { ...dev.stored, envCreatedAt: 'd1' } },
  };
  assert.deepEqual(checkJoinToken(withEnvs, caHash, prod.token), { ok: true, role: 'worker', env: 'prod', envCreatedAt: 'p1' });
  assert.deepEqual(checkJoinToken(withEnvs, caHash, dev.token), { ok: true, role: 'worker', env: 'dev', envCreatedAt: 'd1' });
  assert.deepEqual(checkJoinToken(withEnvs, caHash, c.worker), { ok: true, role: 'worker', env: 'default' }, 'default keeps the cluster\'s original token');
  assert.equal(checkJoinToken(c.cluster, caHash, prod.token).ok, false, 'a token nobody stored joins nowhere');
});

test('tokens are stored hashed and sealed, never in plaintext, and can be shown again', () => {
  const t = newStoredToken(caHash, box, now);
  assert.ok(!JSON.stringify(t.stored).includes(parseJoinToken(t.token)?.secret ?? '?'));
  assert.equal(box.open(t.stored.sealed), t.token);
  assert.throws(() => SecretBox.forTest().open(t.stored.sealed), 'another key cannot open it');
});
