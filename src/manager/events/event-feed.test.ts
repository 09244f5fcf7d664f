import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ShoalEvent } from '../../api/events.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { ChangeBatch, Store } from '../store/store.js';
import { EventFeed, type EventSink } from './event-feed.js';

const node = (id: string) => ({ id, env: 'default', version: 0, hostname: id, availability: 'active', labels: {}, status: { state: 'ready' } });

async function storeWith(batches: number): Promise<SqliteStore> {
  const store = new SqliteStore(':memory:');
  for (let i = 0; i < batches; i++) await store.commit([{ op: 'create', kind: 'node', value: node(`n${i}`) }], { actor: 't' });
  return store;
}

/** Counts the history pages the feed reads. */
function counting(store: Store): { store: Store; pages: () => number } {
  let pages = 0;
  const counted = Object.create(store) as Store;
  counted.history = (after: number, limit: number): Promise<ChangeBatch[]> => {
    pages++;
    return store.history(after, limit);
  };
  return { store: counted, pages: () => pages };
}

const collecting = (seen: ShoalEvent[]): EventSink => ({ send: (e) => seen.push(e) > 0, pressured: false, drained: () => Promise.resolve() });

test('a replay reads the history in pages and lets the event loop run between them', async () => {
  const base = await storeWith(1000);
  const { store, pages } = counting(base);
  const seen: ShoalEvent[] = [];
  const abort = new AbortController();
  // Scheduled before the replay starts: a replay read in one go would deliver everything first.
  let seenWhenOtherWorkRan = -1;
  setImmediate(() => (seenWhenOtherWorkRan = seen.length));
  await new EventFeed(store, { pageSize: 100 }).follow(0, collecting(seen), abort.signal);
  assert.equal(seen.length, 1000);
  assert.deepEqual(seen.map((e) => e.revision), Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.ok(pages() >= 10, `${pages()} pages`);
  assert.ok(seenWhenOtherWorkRan >= 0 && seenWhenOtherWorkRan < 1000, `other work ran after ${seenWhenOtherWorkRan} events`);
  // Then live, from the next commit, with neither gap nor repeat.
  await base.commit([{ op: 'create', kind: 'node', value: node('live') }], { actor: 't' });
  assert.deepEqual(seen.slice(-2).map((e) => e.name), ['n999', 'live']);
  abort.abort();
  await base.commit([{ op: 'create', kind: 'node', value: node('after') }], { actor: 't' });
  assert.equal(seen.length, 1001, 'nothing after the abort');
  await base.close();
});

test('a replay waits while the reader is behind, and stops when it is gone', async () => {
  const store = await storeWith(50);
  const seen: ShoalEvent[] = [];
  let release: () => void = () => undefined;
  const sink: EventSink = {
    send: (e) => seen.push(e) > 0,
    // Behind from the first event on: the replay must wait for `drained` after it.
    get pressured() {
      return seen.length > 0;
    },
    drained: () => new Promise<void>((resolve) => (release = resolve)),
  };
  const abort = new AbortController();
  const following = new EventFeed(store, { pageSize: 10 }).follow(0, sink, abort.signal);
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 1, 'one event, then waiting for the reader');
  abort.abort();
  release();
  await following;
  assert.equal(seen.length, 1, 'the reader left: nothing more is read');
  await store.close();
});
