import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startAgent } from '../src/agent/agent.js';
import { FakeExecutor } from '../src/agent/executor/fake/fake-executor.js';
import { createLogger } from '../src/lib/logger.js';
import { startManager } from '../src/manager/manager.js';
import { SqliteStore } from '../src/manager/store/sqlite-store.js';

// The data dirs hold password hashes, the audit history, stack sources, the CA key and node keys:
// no other local user may read them, whatever the umask of the process that made them.
const scratch = mkdtempSync(join(tmpdir(), 'shoal-modes-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const modeOf = (path: string): string => `0${(statSync(path).mode & 0o777).toString(8)}`;

/** Every folder and file below `dir` with its mode, for messages that show what was left open. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out[p.slice(dir.length + 1)] = modeOf(p);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

test('with umask 022, the manager and agent data dirs are 0700 and their files 0600: store, -wal, -shm, CA and node keys', async () => {
  const data = join(scratch, 'fresh');
  const lines: string[] = [];
  const logger = createLogger('modes', { level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
  await withUmask(0o022, async () => {
    const store = new SqliteStore(join(data, 'manager', 'shoal.db'));
    const manager = await startManager({ store, logger, dataDir: join(data, 'manager'), host: '127.0.0.1', port: 0, agentPort: 0, createAdmin: true });
    try {
      assert.ok(manager.newTokens);
      const agent = await startAgent({ managerAddress: `127.0.0.1:${manager.agentPort}`, token: manager.newTokens.worker, dataDir: join(data, 'agent'), executor: new FakeExecutor({ hostname: 'modes' }), logger, hostname: 'modes' });
      try {
        // Written while running: -wal and -shm exist only while the store is open.
        for (const f of ['shoal.db', 'shoal.db-wal', 'shoal.db-shm', 'ca/ca-key.pem', 'ca/token-key']) assert.ok(existsSync(join(data, 'manager', f)), f);
        for (const f of ['node-key.pem', 'node-cert.pem', 'ca-cert.pem', 'node-id']) assert.ok(existsSync(join(data, 'agent', f)), f);
        const all = { '.': modeOf(data), ...modes(data) };
        for (const [path, mode] of Object.entries(all)) {
          const isDir = path === '.' || statSync(join(data, path)).isDirectory();
          assert.equal(mode, isDir ? '0700' : '0600', `${path} in ${JSON.stringify(all)}`);
        }
      } finally {
        await agent.stop();
      }
    } finally {
      await manager.stop();
      await store.close();
    }
  });
  assert.ok(!lines.some((l) => l.includes('owner-only')), 'nothing to close in a new data dir');
});

test('a data dir an older version left open is closed at start, and the log says which paths were', async () => {
  const data = join(scratch, 'old');
  const managerDir = join(data, 'manager');
  await withUmask(0o022, async () => {
    mkdirSync(join(managerDir, 'ca'), { recursive: true, mode: 0o755 });
    // As SQLite made them before: 0644 in 0755 folders.
    const first = new SqliteStore(join(managerDir, 'shoal.db'));
    await first.close();
    chmodSync(join(managerDir, 'shoal.db'), 0o644);
    chmodSync(managerDir, 0o755);
    writeFileSync(join(managerDir, 'ca', 'leftover'), 'x', { mode: 0o644 });
    const lines: string[] = [];
    const logger = createLogger('modes', { level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    const store = new SqliteStore(join(managerDir, 'shoal.db'));
    const manager = await startManager({ store, logger, dataDir: managerDir, host: '127.0.0.1', port: 0, agentPort: 0, createAdmin: true });
    try {
      assert.equal(modeOf(managerDir), '0700');
      for (const f of ['shoal.db', 'shoal.db-wal', 'shoal.db-shm', 'ca/leftover', 'ca/ca-key.pem']) assert.equal(modeOf(join(managerDir, f)), '0600', f);
      assert.equal(modeOf(join(managerDir, 'ca')), '0700');
      const said = lines.find((l) => l.includes('owner-only'));
      assert.ok(said, 'the closing is logged');
      for (const f of ['shoal.db (was', 'shoal.db-wal (was', 'ca/leftover (was']) assert.ok(said.includes(f), `${f} named in ${said}`);
      assert.ok(said.includes('(was 0644)') && said.includes(`${managerDir} (was 0755)`), said);
    } finally {
      await manager.stop();
      await store.close();
    }
  });
});
