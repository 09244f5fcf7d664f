import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import dnsPacket from 'dns-packet';
import { DnsServer } from './dns-server.js';
import { buildDnsTable } from './dns-table.js';
import { addresses, ask, askTcp, queryPacket } from './dns-test-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A seeded generator, so a failure can be replayed with the same packets. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const header = (qd: number, an = 0, flags = 0x0100): Buffer => {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xbeef, 0);
  h.writeUInt16BE(flags, 2);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(an, 6);
  return h;
};
const tail = Buffer.from([0, 1, 0, 1]); // type A, class IN

/** One malformed packet of each kind in turn: none is a query the server may answer. */
function malformed(i: number, rnd: () => number): Buffer {
  const int = (n: number): number => Math.floor(rnd() * n);
  const valid = queryPacket(`svc${int(1000)}.shop.dev.shoal.internal`, { edns: rnd() < 0.5 });
  switch (i % 10) {
    case 0: // random bytes, any length (QR forced off so the header check alone cannot reject it)
    case 1: {
      const b = Buffer.from(Array.from({ length: int(600) }, () => int(256)));
      if (b.length > 3) b[2] = (b[2] ?? 0) & 0x7f;
      if (b.length > 5 && i % 2 === 1) b.writeUInt16BE(1, 4); // one question: reaches the decoder
      return b;
    }
    case 2: // a valid query cut short
      return valid.subarray(0, int(valid.length));
    case 3: // more labels than a name may hold
      return Buffer.concat([header(1), Buffer.from(Array.from({ length: 200 + int(300) }, () => [1, 0x61]).flat()), Buffer.from([0]), tail]);
    case 4: // a compression pointer to itself
      return Buffer.concat([header(1), Buffer.from([0xc0, 12]), tail]);
    case 5: // pointers that jump forward, into each other
      return Buffer.concat([header(1), Buffer.from([0xc0, 14, 0xc0, 12]), tail]);
    case 6: // a label longer than the packet, or of a reserved length type (0x40, 0x80)
      return Buffer.concat([header(1), Buffer.from([rnd() < 0.5 ? 63 : 0x40 | int(64), 0x61, 0x62]), tail]);
    case 7: // one question but 65535 answers announced and none there
      return Buffer.concat([valid.subarray(0, 4), Buffer.from([0, 1, 0xff, 0xff, 0, 0, 0, 0]), valid.subarray(12)]);
    case 8: // zero or two questions
      return Buffer.concat([header(rnd() < 0.5 ? 0 : 2), valid.subarray(12)]);
    default: {
      // a response: answering it could bounce between two resolvers for ever
      const r = Buffer.from(valid);
      r.writeUInt16BE(r.readUInt16BE(2) | 0x8000, 2);
      return r;
    }
  }
}

describe('DnsServer under malformed packets', () => {
  let server: DnsServer;
  let port: number;
  let client: Socket;
  const answers: Buffer[] = [];

  before(async () => {
    server = new DnsServer({ address: '127.0.0.1', port: 0, upstreams: [], tcpIdleMs: 200 });
    port = (await server.start()).port;
    server.setTable(
      buildDnsTable({
        services: [
          { name: 'web', stack: 'shop', env: 'dev', aliases: [], tasks: [{ id: 'w1', name: 'shop_web.1.w1', ip: '127.0.0.1', running: true, healthy: true }] },
          { name: 'db', stack: 'shop', env: 'dev', aliases: [], tasks: ['10.0.0.11', '10.0.0.12'].map((ip, i) => ({ id: `d${i}`, name: `shop_db.${i}`, ip, running: true, healthy: true })) },
        ],
      }),
    );
    client = createSocket('udp4');
    client.on('message', (m) => answers.push(m));
    await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', resolve));
  });
  after(async () => {
    client.close();
    await server.close();
  });

  /**
   * Sends `count` malformed packets from one socket, 50 at a time, each batch followed by a
   * valid query whose answer proves the server read the batch (loopback UDP keeps order), so
   * the kernel's receive buffer never overflows and every packet reaches the server.
   */
  async function flood(count: number, seed: number): Promise<void> {
    const rnd = prng(seed);
    for (let sent = 0; sent < count; ) {
      for (let j = 0; j < 50 && sent < count; j++, sent++) client.send(malformed(sent, rnd), port, '127.0.0.1');
      const id = (sent % 60000) + 1;
      const want = answers.length + 1;
      client.send(queryPacket('db', { id }), port, '127.0.0.1');
      const deadline = Date.now() + 2000;
      while (!answers.some((a) => a.readUInt16BE(0) === id)) {
        if (Date.now() > deadline) throw new Error(`no answer to the probe after ${sent} packets`);
        await new Promise((r) => setTimeout(r, 1));
      }
      assert.equal(answers.length, want, 'the only answers are to the probes');
      answers.length = 0;
    }
  }

  test('10,000 malformed packets are dropped and counted; correct answers still come back; memory does not grow', async () => {
    await flood(2000, 1); // warm up the code paths before measuring the heap
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const m0 = server.metrics;
    await flood(10_000, 2);
    const m1 = server.metrics;
    assert.equal(m1.malformed - m0.malformed, 10_000, 'every packet dropped, none answered');
    assert.equal(m1.queries - m0.queries, 200, 'only the probes were queries');
    assert.equal(m1.forwarded, 0);
    const r = await ask(port, 'db.shop.dev.shoal.internal');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual([...addresses(r)].sort(), ['10.0.0.11', '10.0.0.12']);
    assert.equal((await ask(port, 'nope.shop.dev.shoal.internal')).rcode, 'NXDOMAIN');
    gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 4 * 1024 * 1024, `heap grew by ${(grown / 1024 / 1024).toFixed(1)} MiB over 10,000 packets`);
  });

  test('junk over TCP closes nothing but its own connection', async () => {
    const rnd = prng(3);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const junk = i % 2 === 0 ? Buffer.concat([Buffer.from([0, 30]), malformed(i, rnd).subarray(0, 30)]) : Buffer.from([0xff, 0xff, 1, 2, 3]); // a frame never completed
        return new Promise<void>((resolve) => {
          const s = connect({ host: '127.0.0.1', port });
          s.on('error', () => resolve());
          s.on('close', () => resolve());
          s.on('connect', () => s.write(junk));
        });
      }),
    );
    assert.deepEqual(addresses(await askTcp(port, 'tasks.db')).sort(), ['10.0.0.11', '10.0.0.12']);
    const deadline = Date.now() + 3000;
    while (server.load.tcpConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(server.load.tcpConnections, 0, 'idle junk connections are closed');
  });

  test('the decoder itself refuses what the header check lets through', () => {
    // Guards the premise of the flood: these reach dns-packet and must throw there, not hang.
    const rnd = prng(4);
    for (const i of [3, 4, 5, 6]) assert.throws(() => dnsPacket.decode(malformed(i, rnd)));
  });
});
