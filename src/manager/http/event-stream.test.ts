import assert from 'node:assert/strict';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import type { LogSource, TaskLogLine } from '../dispatcher/log-source.js';
import { EventFeed } from '../events/event-feed.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { loopbackAuthorizer } from './authorizer.js';
import type { StreamLimits } from './bounded-writer.js';
import { buildRoutes, type RouteDeps } from './routes.js';
import { createHttpServer } from './server.js';

// Events of about 1 KiB, so a few MiB of stream take few commits.
const longName = 'x'.repeat(1000);
const nodeOps = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ op: 'create' as const, kind: 'node' as const, value: { id: `n${from + i}`, env: 'default', version: 0, hostname: `${longName}-${from + i}`, availability: 'active', labels: {}, status: { state: 'ready' } } }));

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(maxBufferedBytes: number, logs?: LogSource) {
  const store = new SqliteStore(':memory:');
  const streams: StreamLimits = { maxBufferedBytes, dropGraceMs: 120_000, stats: { dropped: 0, peakBufferedBytes: 0 } };
  const deps = { events: new EventFeed(store, { pageSize: 50 }), streams, logs, tasks: { list: () => Promise.resolve([]) } };
  const routes = buildRoutes(deps as unknown as RouteDeps).filter((r) => r.url === '/v1/events' || r.url === '/v1/services/:ref/logs');
  const app = createHttpServer({ routes, authorizer: loopbackAuthorizer, logger: createLogger('test', 'silent') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const sockets: Socket[] = [];
  /** A reader that sends its request and then reads nothing: Node stops reading once its small buffer is full. */
  const stuckReader = (query: string, path = '/v1/events'): Socket => {
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    socket.write(`GET ${path}${query} HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n`);
    sockets.push(socket);
    return socket;
  };
  const healthz = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await app.close();
    await store.close();
  };
  return { store, streams, stuckReader, healthz, close };
}

/** Reads the rest of the response once the reader resumes (until it ends, or `stopAt` arrives), and takes the chunked framing off. */
async function readAll(socket: Socket, stopAt?: string): Promise<string> {
  const parts: Buffer[] = [];
  let tail = '';
  socket.on('data', (d: Buffer) => {
    parts.push(d);
    tail = (tail + d.toString('latin1')).slice(-4096);
    if (stopAt !== undefined && tail.includes(stopAt)) socket.end();
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('end', resolve);
    socket.on('error', reject);
    socket.resume();
  });
  const raw = Buffer.concat(parts).toString('latin1');
  let rest = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let body = '';
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) break;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
  return Buffer.from(body, 'latin1').toString('utf8');
}

const revisionsIn = (body: string): number[] => [...body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

test('a live reader that stops reading is dropped with the reason once it is more than the bound behind; the manager never holds more', async () => {
  const bound = 256 * 1024;
  const { store, streams, stuckReader, healthz, close } = await setup(bound);
  try {
    const reader = stuckReader('');
    // Commits until the stream gives up; the kernel's socket buffers take some MiB first.
    let commits = 0;
    while (streams.stats.dropped === 0 && commits < 2000) {
      await store.commit(nodeOps(commits * 20, 20), { actor: 't' });
      commits++;
      await pause(1);
    }
    assert.equal(streams.stats.dropped, 1, `not dropped after ${commits} commits of 20 KiB`);
    assert.ok(streams.stats.peakBufferedBytes <= bound, `held ${streams.stats.peakBufferedBytes} bytes`);
    assert.equal(await healthz(), 200);
    // Once it reads again, the reader finds its events in order, then why the stream ended.
    const body = await readAll(reader);
    assert.match(body, /event: dropped\ndata: \{"reason":"client too slow: more than 256 KiB unread"\}\n\n$/);
    const revisions = revisionsIn(body);
    assert.ok(revisions.length > 0);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b));
  } finally {
    await close();
  }
});

test('readers replaying a long history without reading hold at most the bound each, are not dropped, and get everything once they read', async () => {
  const bound = 256 * 1024;
  const { store, streams, stuckReader, healthz, close } = await setup(bound);
  try {
    // About 12 MiB of events: more than the kernel buffers of a connection hold.
    for (let i = 0; i < 600; i++) await store.commit(nodeOps(i * 20, 20), { actor: 't' });
    const readers = Array.from({ length: 4 }, () => stuckReader('?since=0'));
    // Wait until the replays are held up by their readers (past the response's own small buffer).
    for (let i = 0; i < 3000 && streams.stats.peakBufferedBytes < 16 * 1024; i++) await pause(10);
    assert.ok(streams.stats.peakBufferedBytes >= 16 * 1024, 'the readers never fell behind');
    assert.equal(await healthz(), 200);
    assert.equal(streams.stats.dropped, 0, 'a replay waits for its reader');
    assert.ok(streams.stats.peakBufferedBytes <= bound, `held ${streams.stats.peakBufferedBytes} bytes`);
    // A commit while they wait reaches them after the history, once they read.
    await store.commit(nodeOps(100_000, 1), { actor: 't' });
    const [first] = readers;
    assert.ok(first);
    // The stream stays open after the history: end it once the last event has arrived.
    const revisions = revisionsIn(await readAll(first, `${longName}-100000`));
    assert.deepEqual(revisions, Array.from({ length: 601 }, (_, i) => i + 1).flatMap((r) => (r <= 600 ? Array<number>(20).fill(r) : [r])));
    assert.ok(streams.stats.peakBufferedBytes <= bound, `held ${streams.stats.peakBufferedBytes} bytes`);
  } finally {
    await close();
  }
});

test('a log stream that is not read is dropped past the bound, and its producer stopped', async () => {
  const bound = 256 * 1024;
  let produced = 0;
  let stopped = false;
  const line: TaskLogLine = { task: 'web.1', taskId: 't', slot: 1, nodeId: 'n', stream: 'stdout', time: 't', text: longName };
  const logs: LogSource = {
    async stream(_tasks, _options, emit, signal) {
      // An endless `logs -f`, as fast as the agents can send.
      while (!signal.aborted && produced < 100_000) {
        for (let i = 0; i < 20; i++) emit({ ...line, text: `${longName}-${produced++}` });
        await pause(1);
      }
      stopped = signal.aborted;
    },
  };
  const { streams, stuckReader, healthz, close } = await setup(bound, logs);
  try {
    const reader = stuckReader('?follow=true', '/v1/services/web/logs');
    for (let i = 0; i < 3000 && !stopped; i++) await pause(10);
    assert.ok(stopped, `the producer ran on after ${produced} lines`);
    assert.equal(streams.stats.dropped, 1);
    assert.ok(streams.stats.peakBufferedBytes <= bound, `held ${streams.stats.peakBufferedBytes} bytes`);
    assert.equal(await healthz(), 200);
    const body = await readAll(reader);
    assert.match(body, /\{"error":\{"code":"resource_exhausted","message":"client too slow: more than 256 KiB unread"\}\}\n$/);
  } finally {
    await close();
  }
});
