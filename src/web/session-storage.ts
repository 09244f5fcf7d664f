/**
 * The login session of this browser tab. sessionStorage, not localStorage or a cookie: the
 * token dies with the tab, is never sent by the browser on its own (no CSRF), and is not shared
 * with other tabs or left on disk after the browser closes. It never goes into a URL.
 */

export interface StoredSession {
  token: string;
  username: string;
  expiresAt: string;
}

const key = 'shoal.session';

export function loadSession(storage: Storage = sessionStorage): StoredSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(key) ?? 'null');
  } catch {
    value = null;
  }
  if (!isStoredSession(value)) {
    storage.removeItem(key);
    return undefined;
  }
  return value;
}

export function saveSession(session: StoredSession, storage: Storage = sessionStorage): void {
  const { token, username, expiresAt } = session;
  storage.setItem(key, JSON.stringify({ token, username, expiresAt }));
}

export function forgetSession(storage: Storage = sessionStorage): void {
  storage.removeItem(key);
}

/** True once the manager would refuse the token anyway; a bad date counts as expired. */
export function sessionExpired(session: StoredSession, now = Date.now()): boolean {
  const t = Date.parse(session.expiresAt);
  return Number.isNaN(t) || t <= now;
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.token === 'string' && v.token !== '' && typeof v.username === 'string' && typeof v.expiresAt === 'string';
}
