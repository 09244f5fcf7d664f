import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DnsServer } from './dns-server.js';
import { buildDnsTable } from './dns-table.js';
import type { DnsView } from '../../api/dns-view.js';
import { addresses, ask, askTcp, decodeAnswer, fakeUpstream, queryPacket, sendUdp } from './dns-test-client.js';

// Clients are told apart by source address: 127.0.0.1 is a task of stack `shop` in `dev`,
// 127.0.0.2 a task in `prod`; 127.0.0.9 is nobody's.
const view = (dbIps: string[]): DnsView => ({
  services: [
    { name: 'web', stack: 'shop', env: 'dev', aliases: [], tasks: [{ id: 'w1', name: 'shop_web.1.w1', ip: '127.0.0.1', running: true, healthy: true }] },
    { name: 'db', stack: 'shop', env: 'dev', aliases: ['database'], tasks: dbIps.map((ip, i) => ({ id: `d${i}`, name: `shop_db.${i}.d${i}`, ip, running: true, healthy: true })) },
    { name: 'big', stack: 'shop', env: 'dev', aliases: [], tasks: Array.from({ length: 100 }, (_, i) => ({ id: `b${i}`, name: `shop_big.${i}.b${i}`, ip: `10.7.0.${i + 1}`, running: true, healthy: true })) },
    { name: 'api', stack: 'shop', env: 'prod', aliases: [], tasks: [{ id: 'p1', name: 'shop_api.1.p1', ip: '127.0.0.2', running: true, healthy: true }] },
  ],
});

describe('DnsServer over UDP and TCP on loopback', () => {
  let server: DnsServer;
  let port: number;
  let good: Awaited<ReturnType<typeof fakeUpstream>>;
  let silent: Awaited<ReturnType<typeof fakeUpstream>>;

  before(async () => {
    good = await fakeUpstream('203.0.113.7');
    silent = await fakeUpstream(undefined);
    server = new DnsServer({
      address: '127.0.0.1',
      port: 0,
      upstreams: [
        { address: '127.0.0.1', port: silent.port },
        { address: '127.0.0.1', port: good.port },
      ],
      forwardTimeoutMs: 300,
    });
    port = (await server.start()).port;
    server.setTable(buildDnsTable(view(['10.0.0.11', '10.0.0.12', '10.0.0.13'])));
  });
  after(async () => {
    await server.close();
    good.close();
    silent.close();
  });

  test('A for a service: every healthy task, rotated per query, TTL 0, authoritative, id and case echoed', async () => {
    const firsts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await ask(port, 'DB.shop.dev.shoal.internal', { id: 777 + i });
      assert.equal(r.id, 777 + i);
      assert.equal(r.rcode, 'NOERROR');
      assert.equal(r.flag_aa, true);
      assert.equal(r.flag_rd, true);
      assert.equal(r.questions?.[0]?.name, 'DB.shop.dev.shoal.internal');
      assert.deepEqual([...addresses(r)].sort(), ['10.0.0.11', '10.0.0.12', '10.0.0.13']);
      for (const a of r.answers ?? []) {
        assert.equal(a.name, 'DB.shop.dev.shoal.internal');
        assert.equal('ttl' in a ? a.ttl : undefined, 0);
      }
      firsts.push(addresses(r)[0] ?? '');
    }
    assert.equal(new Set(firsts).size, 3, `round robin: ${firsts.join(', ')}`);
    assert.deepEqual(addresses(await ask(port, 'database')).length, 3);
  });

  test('AAAA and other types for our names: NOERROR with an empty answer', async () => {
    for (const type of ['AAAA', 'MX', 'TXT'] as const) {
      const r = await ask(port, 'db', { type });
      assert.equal(r.rcode, 'NOERROR', type);
      assert.equal(r.flag_aa, true);
      assert.equal(r.answers?.length, 0, type);
    }
    assert.equal(server.metrics.nodata >= 3, true);
  });

  test('NXDOMAIN for unknown Shoal names and for every name of another environment', async () => {
    for (const name of ['nothing.shop.dev.shoal.internal', 'api.shop.prod.shoal.internal', 'x.shoal.internal']) {
      const r = await ask(port, name);
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.answers?.length, 0);
    }
    // The prod task sees its own environment only.
    assert.deepEqual(addresses(await ask(port, 'api', { from: '127.0.0.2' })), ['127.0.0.2']);
    assert.equal((await ask(port, 'db.shop.dev.shoal.internal', { from: '127.0.0.2' })).rcode, 'NXDOMAIN');
  });

  test('a source address that is no task is refused, Shoal names and others alike', async () => {
    const before = good.asked.length;
    assert.equal((await ask(port, 'db.shop.dev.shoal.internal', { from: '127.0.0.9' })).rcode, 'REFUSED');
    assert.equal((await ask(port, 'example.com', { from: '127.0.0.9' })).rcode, 'REFUSED');
    assert.equal(good.asked.length, before, 'nothing forwarded for an unknown client');
  });

  test('other names go to the first upstream that answers; the answer keeps the client id', async () => {
    const r = await ask(port, 'example.com', { id: 31337 });
    assert.equal(r.id, 31337);
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(addresses(r), ['203.0.113.7']);
    assert.ok(silent.asked.includes('example.com'), 'the first upstream was asked first');
    assert.ok(good.asked.includes('example.com'));
    assert.ok(!good.asked.some((n) => n.endsWith('shoal.internal')), 'no Shoal name forwarded');
    const tcp = await askTcp(port, 'example.org');
    assert.equal(tcp.rcode, 'SERVFAIL', 'the fake upstreams have no TCP: a clean failure');
  });

  test('SERVFAIL when no upstream answers in time', async () => {
    const lonely = new DnsServer({ address: '127.0.0.1', port: 0, upstreams: [{ address: '127.0.0.1', port: silent.port }], forwardTimeoutMs: 100, tcp: false });
    const p = (await lonely.start()).port;
    try {
      lonely.setTable(buildDnsTable(view([])));
      const r = await ask(p, 'example.net');
      assert.equal(r.rcode, 'SERVFAIL');
      assert.equal(lonely.metrics.forwardFailed, 1);
      assert.equal(lonely.load.pendingForwards, 0);
    } finally {
      await lonely.close();
    }
  });

  test('a new table answers from the next query on', async () => {
    server.setTable(buildDnsTable(view(['10.0.0.11'])));
    assert.deepEqual(addresses(await ask(port, 'tasks.db')), ['10.0.0.11']);
    server.setTable(buildDnsTable(view([])));
    const empty = await ask(port, 'db');
    assert.equal(empty.rcode, 'NOERROR');
    assert.deepEqual(addresses(empty), []);
    server.setTable(buildDnsTable(view(['10.0.0.11', '10.0.0.12', '10.0.0.13'])));
  });

  test('too many records for 512 bytes: TC set over UDP, all of them over TCP; EDNS echoed', async () => {
    const udp = await ask(port, 'tasks.big');
    assert.equal(udp.flag_tc, true);
    assert.ok(addresses(udp).length > 20 && addresses(udp).length < 100, `${addresses(udp).length} records in 512 bytes`);
    const edns = await ask(port, 'tasks.big', { edns: true });
    assert.equal(edns.flag_tc, true);
    assert.ok(addresses(edns).length > addresses(udp).length);
    assert.equal(edns.additionals?.[0]?.type, 'OPT');
    const tcp = await askTcp(port, 'tasks.big');
    assert.equal(tcp.flag_tc, false);
    assert.equal(addresses(tcp).length, 100);
  });

  test('a query with an unknown opcode gets NOTIMP', async () => {
    const q = queryPacket('db');
    q.writeUInt16BE(q.readUInt16BE(2) | (2 << 11), 2); // opcode 2: STATUS
    const raw = await sendUdp(port, q);
    assert.ok(raw);
    assert.equal(decodeAnswer(raw).rcode, 'NOTIMP');
  });
});
