import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetSession, loadSession, saveSession, sessionExpired } from './session-storage.js';

/** The part of the Web Storage API the module uses, in memory. */
class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const session = { token: 'shoal-session-abc', username: 'admin', expiresAt: '2030-01-01T00:00:00.000Z' };

test('a saved session loads back and is forgotten on logout', () => {
  const storage = new MemoryStorage();
  assert.equal(loadSession(storage), undefined);
  saveSession(session, storage);
  assert.deepEqual(loadSession(storage), session);
  forgetSession(storage);
  assert.equal(loadSession(storage), undefined);
  assert.equal(storage.length, 0);
});

test('only the three session fields are stored', () => {
  const storage = new MemoryStorage();
  saveSession({ ...session, admin: true, password: 'never' } as typeof session, storage);
  assert.deepEqual(JSON.parse(storage.getItem(storage.key(0) ?? '') ?? ''), session);
});

test('a damaged entry is dropped instead of used', () => {
  for (const bad of ['{', 'null', '"token"', JSON.stringify({ token: '', username: 'a', expiresAt: 'x' }), JSON.stringify({ token: 't', username: 1, expiresAt: 'x' })]) {
    const storage = new MemoryStorage();
    storage.setItem('shoal.session', bad);
    assert.equal(loadSession(storage), undefined, bad);
    assert.equal(storage.length, 0, bad);
  }
});

test('a session is expired at its expiry time, and when the time cannot be read', () => {
  const t = Date.parse(session.expiresAt);
  assert.equal(sessionExpired(session, t - 1), false);
  assert.equal(sessionExpired(session, t), true);
  assert.equal(sessionExpired({ ...session, expiresAt: 'soon' }, 0), true);
});
