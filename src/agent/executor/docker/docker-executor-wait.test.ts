import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ExecutorError } from '../../exec/executor.js';
import { DockerExecutor } from './docker-executor.js';

/**
 * `wait` against a stand-in engine on a unix socket. The engine answers a wait with its headers
 * at once and the body when the container exits; an engine that dies in between (kill -9 of
 * dockerd) closes the connection after the headers. The wait must then fail, so the task runner
 * looks at the container again, instead of waiting forever on a connection that is gone.
 */
describe('DockerExecutor.wait when the engine goes away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-wait-test-'));
  const socketPath = join(dir, 'docker.sock');
  let server: Server;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.includes('/containers/exits/wait')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ StatusCode: 3, Error: null }));
        return;
      }
      if (req.url?.includes('/containers/dies/wait')) {
        // Headers now (as dockerd sends them), then the engine is gone before the body.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        setTimeout(() => req.socket.destroy(), 50);
        return;
      }
      if (req.url?.includes('/containers/runs/wait')) {
        // A container that keeps running: headers, and nothing more until the client gives up.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such container' }));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The wait's outcome, or 'still waiting' if it has not settled after a generous while. */
  async function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown } | 'still waiting'> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), 10_000)));
    try {
      return await Promise.race([p.then((value) => ({ value }), (error: unknown) => ({ error })), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  test('an exit the engine reports is returned', async () => {
    const executor = new DockerExecutor({ socketPath });
    assert.deepEqual(await settle(executor.wait('exits')), { value: { exitCode: 3 } });
  });

  test('a connection closed before the exit fails the wait', async () => {
    const executor = new DockerExecutor({ socketPath });
    const outcome = await settle(executor.wait('dies'));
    assert.notEqual(outcome, 'still waiting', 'the wait settles');
    assert.ok(typeof outcome === 'object' && 'error' in outcome, `the wait fails (got ${JSON.stringify(outcome)})`);
    assert.ok(outcome.error instanceof ExecutorError);
    assert.equal(outcome.error.kind, 'failed');
  });

  test('an unknown container fails the wait', async () => {
    const executor = new DockerExecutor({ socketPath });
    const outcome = await settle(executor.wait('nope'));
    assert.ok(typeof outcome === 'object' && 'error' in outcome, `the wait fails (got ${JSON.stringify(outcome)})`);
  });

  test('an aborted wait rejects', async () => {
    const executor = new DockerExecutor({ socketPath });
    const abort = new AbortController();
    const waiting = settle(executor.wait('runs', { signal: abort.signal }));
    setTimeout(() => abort.abort(), 100);
    const outcome = await waiting;
    assert.ok(typeof outcome === 'object' && 'error' in outcome, `the wait rejects (got ${JSON.stringify(outcome)})`);
  });
});
