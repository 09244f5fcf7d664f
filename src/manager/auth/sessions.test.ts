import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShoalError } from '../../api/errors.js';
import { AccountApi } from './accounts.js';
import { hashCredential } from './credential-hash.js';
import { SessionApi } from './sessions.js';
import { memoryStore } from './test-store.test-util.js';

const pw = 'a long enough password';

async function setup() {
  const store = memoryStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const accounts = new AccountApi(store, () => now);
  await accounts.create('t', { username: 'alice', password: pw });
  const sessions = new SessionApi(store, accounts, () => now, 3600_000);
  return { store, accounts, sessions, advance: (ms: number) => (now += ms) };
}

test('login returns a token once; the store keeps only its hash; the token resolves to the account', async () => {
  const { store, sessions } = await setup();
  const r = await sessions.login('alice', pw);
  assert.match(r.token, /^shoal-session-[a-z2-7]{32}$/);
  assert.equal(r.expiresAt, '2026-01-01T01:00:00.000Z');
  const stored = await store.list('session');
  assert.equal(stored.length, 1);
  assert.equal(stored[0]?.id, hashCredential(r.token));
  assert.ok(!JSON.stringify(stored).includes(r.token.slice(14)));
  assert.equal((await sessions.resolve(r.token))?.username, 'alice');
  // Change the last character to a different one (the token may itself end in 'a').
  const altered = `${r.token.slice(0, -1)}${r.token.endsWith('a') ? 'b' : 'a'}`;
  assert.equal(await sessions.resolve(altered), undefined);
  assert.equal(await sessions.resolve('garbage'), undefined);
  await store.close();
});

test('a wrong password and an unknown user get the same refusal', async () => {
  const { store, sessions } = await setup();
  for (const [u, p] of [['alice', 'wrong password!!'], ['nobody', pw], [42, pw]] as const) {
    await assert.rejects(sessions.login(u, p), (err: unknown) => err instanceof ShoalError && err.code === 'unauthenticated' && err.message === 'wrong username or password');
  }
  await store.close();
});

test('expired sessions, logged-out sessions and sessions of changed passwords are refused', async () => {
  const { store, accounts, sessions, advance } = await setup();
  const a = await sessions.login('alice', pw);
  advance(3600_000);
  assert.equal(await sessions.resolve(a.token), undefined, 'expired');
  assert.equal((await store.list('session')).length, 0, 'an expired session is deleted when seen');
  const b = await sessions.login('alice', pw);
  await sessions.logout(b.token, 'account:alice');
  assert.equal(await sessions.resolve(b.token), undefined, 'logged out');
  const c = await sessions.login('alice', pw);
  await accounts.passwd('t', 'alice', { password: 'a brand new password' });
  assert.equal(await sessions.resolve(c.token), undefined, 'password changed');
  await sessions.login('alice', 'a brand new password');
  advance(3600_001);
  assert.equal(await sessions.sweep(), 1);
  await store.close();
});
