import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import type { IngressRule } from '../../api/networks.js';
import { createLogger } from '../../lib/logger.js';
import { IngressProxy, type IngressLogger } from './ingress-proxy.js';
import { freePort, httpBackend, httpGet, udpEchoBackend, type HttpBackend } from './ingress-test-backends.js';

// Backends are told apart by address: every loopback address is the host's, so three servers
// share one target port on 127.0.0.1-3, as three tasks share a container port.
const ips = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const slow = { timeout: 60_000 };

const tcpRule = (port: number, targetPort: number, backends: string[]): IngressRule => ({ serviceId: 's1', serviceName: 'web', protocol: 'tcp', port, targetPort, backends });
const udpRule = (port: number, targetPort: number, backends: string[]): IngressRule => ({ serviceId: 's2', serviceName: 'dns', protocol: 'udp', port, targetPort, backends });

function proxyFor(t: TestContext, options: ConstructorParameters<typeof IngressProxy>[0] = {}): IngressProxy {
  const proxy = new IngressProxy({ host: '127.0.0.1', ...options });
  t.after(() => proxy.close());
  return proxy;
}

async function httpBackends(t: TestContext, port: number, addresses = ips): Promise<HttpBackend[]> {
  const all = await Promise.all(addresses.map((ip) => httpBackend(ip, port)));
  t.after(() => Promise.all(all.map((b) => b.stop())));
  return all;
}

const tally = (answers: string[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const a of answers) out[a] = (out[a] ?? 0) + 1;
  return out;
};

/** Connects and reports what happened: whether the connection was made, what came, how it ended. */
async function rawConnect(port: number, send?: Buffer): Promise<{ connected: boolean; data: string; error?: string }> {
  const socket = connect({ host: '127.0.0.1', port });
  let connected = false;
  let error: string | undefined;
  let data = '';
  socket.on('connect', () => {
    connected = true;
    if (send) socket.end(send);
  });
  socket.on('data', (c: Buffer) => (data += c.toString()));
  socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
  // Not events.once: it would reject on the 'error' this reports.
  await new Promise((resolve) => socket.once('close', resolve));
  return { connected, data, ...(error ? { error } : {}) };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

describe('IngressProxy, TCP', () => {
  test('30 requests are spread over the three backends', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    assert.deepEqual(await proxy.setRules([tcpRule(port, target, ips)]), { errors: [] });
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await httpGet(port));
    const counts = tally(answers);
    assert.deepEqual(Object.keys(counts).sort(), ips);
    for (const ip of ips) assert.ok((counts[ip] ?? 0) >= 5, `${ip} got ${counts[ip]}`);
    const [stats] = proxy.stats();
    assert.equal(stats?.protocol, 'tcp');
    assert.equal(stats?.port, port);
    assert.deepEqual(stats?.backends, counts);
    await eventually(() => proxy.stats()[0]?.active === 0, 'every proxied connection closed');
  });

  test('concurrent requests all succeed', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ips)]);
    const answers = await Promise.all(Array.from({ length: 60 }, () => httpGet(port)));
    assert.equal(answers.length, 60);
    for (const a of answers) assert.ok(ips.includes(a));
  });

  test('a stopped backend is skipped: every request still succeeds', slow, async (t) => {
    const target = await freePort();
    const backends = await httpBackends(t, target);
    await backends[1]?.stop();
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ips)]);
    const answers: string[] = [];
    for (let i = 0; i < 15; i++) answers.push(await httpGet(port));
    assert.deepEqual(Object.keys(tally(answers)).sort(), ['127.0.0.1', '127.0.0.3']);
  });

  test('a backend that does not answer in time is skipped', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target, ['127.0.0.1']);
    const port = await freePort();
    const proxy = proxyFor(t, { connectTimeoutMs: 300 });
    // TEST-NET-1 is never routed: the connect hangs (or fails at once with no route).
    await proxy.setRules([tcpRule(port, target, ['192.0.2.1', '127.0.0.1'])]);
    for (let i = 0; i < 4; i++) assert.equal(await httpGet(port), '127.0.0.1');
  });

  test('no backend reachable: the client connection is closed', slow, async (t) => {
    const target = await freePort();
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ['127.0.0.1', '127.0.0.2'])]);
    const r = await rawConnect(port, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    assert.equal(r.connected, true);
    assert.equal(r.data, '');
    await assert.rejects(httpGet(port));
  });

  test('zero backends: the port answers and closes the connection at once', slow, async (t) => {
    const port = await freePort();
    const proxy = proxyFor(t);
    assert.deepEqual(await proxy.setRules([tcpRule(port, 8080, [])]), { errors: [] });
    const r = await rawConnect(port);
    assert.equal(r.connected, true);
    assert.equal(r.data, '');
    assert.notEqual(r.error, 'ECONNREFUSED');
  });

  test('new backends apply to new connections; open connections and the listener stay', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ['127.0.0.1'])]);

    // A keep-alive connection made before the change keeps its backend.
    const open = connect({ host: '127.0.0.1', port });
    t.after(() => open.destroy());
    await once(open, 'connect');
    const ask = async (): Promise<string> => {
      open.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      const [chunk] = (await once(open, 'data')) as [Buffer];
      return chunk.toString();
    };
    assert.match(await ask(), /\r\n\r\n127\.0\.0\.1$/);

    await proxy.setRules([tcpRule(port, target, ['127.0.0.2', '127.0.0.3'])]);
    assert.match(await ask(), /\r\n\r\n127\.0\.0\.1$/);
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await httpGet(port));
    assert.deepEqual(tally(answers), { '127.0.0.2': 5, '127.0.0.3': 5 });
    // The same listener: its counters run on from before the change.
    assert.deepEqual(proxy.stats()[0]?.backends, { '127.0.0.1': 1, '127.0.0.2': 5, '127.0.0.3': 5 });
  });

  test('a new target port applies without closing the listener', slow, async (t) => {
    const [a, b] = [await freePort(), await freePort()];
    await httpBackends(t, a, ['127.0.0.1']);
    await httpBackends(t, b, ['127.0.0.2']);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, a, ['127.0.0.1', '127.0.0.2'])]);
    assert.equal(await httpGet(port), '127.0.0.1');
    assert.equal(await httpGet(port), '127.0.0.1');
    await proxy.setRules([tcpRule(port, b, ['127.0.0.1', '127.0.0.2'])]);
    assert.equal(await httpGet(port), '127.0.0.2');
    assert.equal(await httpGet(port), '127.0.0.2');
    assert.deepEqual(proxy.stats()[0]?.backends, { '127.0.0.1': 2, '127.0.0.2': 2 });
  });

  test('removing the rule closes the port', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ips)]);
    assert.ok(ips.includes(await httpGet(port)));
    assert.deepEqual(await proxy.setRules([]), { errors: [] });
    assert.deepEqual(proxy.stats(), []);
    const r = await rawConnect(port);
    assert.equal(r.connected, false);
    assert.equal(r.error, 'ECONNREFUSED');
  });

  test('a client that half-closes still gets the whole answer', slow, async (t) => {
    // Answers only once the client has finished sending: needs the client's FIN passed on
    // while the way back stays open.
    const server = createServer({ allowHalfOpen: true }, (s) => {
      let got = '';
      s.on('data', (c: Buffer) => (got += c.toString()));
      s.on('end', () => s.end(`got ${got}`));
    });
    const target = await freePort();
    await new Promise<void>((resolve) => server.listen(target, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ['127.0.0.1'])]);
    const r = await rawConnect(port, Buffer.from('hello'));
    assert.deepEqual(r, { connected: true, data: 'got hello' });
    await eventually(() => proxy.stats()[0]?.active === 0, 'the connection closed');
  });

  test('clients that send garbage and reset do not harm the proxy', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ips)]);
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const abusers: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      abusers.push(
        (async () => {
          const s: Socket = connect({ host: '127.0.0.1', port });
          s.on('error', () => undefined);
          await once(s, 'connect');
          if (i % 3 !== 0) s.write(garbage);
          // Some reset at once (before a backend is even connected), some after a moment.
          if (i % 2 === 0) await new Promise((r) => setTimeout(r, 20));
          s.resetAndDestroy();
          await once(s, 'close');
        })(),
      );
    }
    await Promise.all(abusers);
    for (let i = 0; i < 6; i++) assert.ok(ips.includes(await httpGet(port)));
    await eventually(() => proxy.stats()[0]?.active === 0, 'every connection closed');
  });

  test('close() ends open connections and unbinds', slow, async (t) => {
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([tcpRule(port, target, ips)]);
    const open = connect({ host: '127.0.0.1', port });
    open.on('error', () => undefined);
    await once(open, 'connect');
    await eventually(() => proxy.stats()[0]?.active === 1, 'the connection proxied');
    const closed = once(open, 'close');
    await proxy.close();
    await closed;
    assert.equal((await rawConnect(port)).error, 'ECONNREFUSED');
    const after = await proxy.setRules([tcpRule(port, target, ips)]);
    assert.equal(after.errors.length, 1);
    assert.equal((await rawConnect(port)).error, 'ECONNREFUSED');
  });
});

describe('IngressProxy, UDP', () => {
  test('sessions are balanced over the backends; a client keeps its backend; replies come from the published port', slow, async (t) => {
    const target = await freePort();
    const backends = await Promise.all(ips.map((ip) => udpEchoBackend(ip, target)));
    t.after(() => Promise.all(backends.map((b) => b.stop())));
    const port = await freePort();
    const proxy = proxyFor(t);
    assert.deepEqual(await proxy.setRules([udpRule(port, target, ips)]), { errors: [] });

    const firsts: string[] = [];
    for (let c = 0; c < 9; c++) {
      const client = createSocket('udp4');
      t.after(() => client.close());
      const replies: string[] = [];
      for (let i = 0; i < 3; i++) {
        client.send(`ping${i}`, port, '127.0.0.1');
        const [msg, rinfo] = (await once(client, 'message')) as [Buffer, { port: number }];
        assert.equal(rinfo.port, port);
        replies.push(msg.toString());
      }
      const ip = replies[0]?.split(':')[0] ?? '';
      assert.deepEqual(replies, [`${ip}:ping0`, `${ip}:ping1`, `${ip}:ping2`]);
      firsts.push(ip);
    }
    assert.deepEqual(tally(firsts), { '127.0.0.1': 3, '127.0.0.2': 3, '127.0.0.3': 3 });
    assert.equal(proxy.stats()[0]?.active, 9);
  });

  test('idle sessions expire; a removed backend ends its sessions', slow, async (t) => {
    const target = await freePort();
    const backends = await Promise.all(ips.slice(0, 2).map((ip) => udpEchoBackend(ip, target)));
    t.after(() => Promise.all(backends.map((b) => b.stop())));
    const port = await freePort();
    const proxy = proxyFor(t, { udpIdleMs: 300 });
    await proxy.setRules([udpRule(port, target, ['127.0.0.1'])]);
    const client = createSocket('udp4');
    t.after(() => client.close());
    client.send('a', port, '127.0.0.1');
    assert.equal(((await once(client, 'message')) as [Buffer])[0].toString(), '127.0.0.1:a');
    await eventually(() => proxy.stats()[0]?.active === 0, 'the idle session expired');

    await proxy.setRules([udpRule(port, target, ['127.0.0.1'])]);
    client.send('b', port, '127.0.0.1');
    assert.equal(((await once(client, 'message')) as [Buffer])[0].toString(), '127.0.0.1:b');
    await proxy.setRules([udpRule(port, target, ['127.0.0.2'])]);
    assert.equal(proxy.stats()[0]?.active, 0);
    client.send('c', port, '127.0.0.1');
    assert.equal(((await once(client, 'message')) as [Buffer])[0].toString(), '127.0.0.2:c');
  });

  test('datagrams to a rule with no backends are dropped; garbage is just forwarded', slow, async (t) => {
    const target = await freePort();
    const backend = await udpEchoBackend('127.0.0.1', target);
    t.after(() => backend.stop());
    const port = await freePort();
    const proxy = proxyFor(t);
    await proxy.setRules([udpRule(port, target, [])]);
    const client = createSocket('udp4');
    t.after(() => client.close());
    let got = 0;
    client.on('message', () => got++);
    for (let i = 0; i < 5; i++) client.send(Buffer.alloc(i * 300, i), port, '127.0.0.1');
    // Then a backend appears: the proxy is still there and answers.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got, 0);
    assert.equal(proxy.stats()[0]?.active, 0);
    await proxy.setRules([udpRule(port, target, ['127.0.0.1'])]);
    client.send(Buffer.from([0xff, 0, 0xfe]), port, '127.0.0.1');
    await eventually(() => got === 1, 'an answer once a backend exists');
  });
});

describe('IngressProxy, rules', () => {
  test('a port in use is reported, the other rules still apply, and a later call retries', slow, async (t) => {
    const busyPort = await freePort();
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
    let busyClosed = false;
    t.after(() => (busyClosed ? undefined : new Promise<void>((resolve) => busy.close(() => resolve()))));
    const target = await freePort();
    await httpBackends(t, target);
    const port = await freePort();
    const proxy = proxyFor(t);
    const rules = [tcpRule(busyPort, target, ips), tcpRule(port, target, ips)];
    const { errors } = await proxy.setRules(rules);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.port, busyPort);
    assert.equal(errors[0]?.protocol, 'tcp');
    assert.match(errors[0]?.message ?? '', /EADDRINUSE/);
    assert.ok(ips.includes(await httpGet(port)));
    assert.deepEqual(proxy.stats().map((s) => s.port), [port]);

    await new Promise<void>((resolve) => busy.close(() => resolve()));
    busyClosed = true;
    assert.deepEqual(await proxy.setRules(rules), { errors: [] });
    assert.ok(ips.includes(await httpGet(busyPort)));
  });

  test('a UDP port in use is reported', slow, async (t) => {
    const port = await freePort();
    const busy = createSocket('udp4');
    await new Promise<void>((resolve) => busy.bind(port, '127.0.0.1', resolve));
    t.after(() => busy.close());
    const proxy = proxyFor(t);
    const { errors } = await proxy.setRules([udpRule(port, 53, ['127.0.0.1'])]);
    assert.deepEqual(errors.map((e) => [e.port, e.protocol]), [[port, 'udp']]);
  });

  test('a second rule for the same port and protocol is an error; the same port over UDP is not', slow, async (t) => {
    const port = await freePort();
    const proxy = proxyFor(t);
    const { errors } = await proxy.setRules([tcpRule(port, 80, []), { ...tcpRule(port, 81, []), serviceName: 'other' }, udpRule(port, 53, [])]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /other.*already published by service web/);
    assert.deepEqual(proxy.stats().map((s) => `${s.protocol}/${s.port}`).sort(), [`tcp/${port}`, `udp/${port}`]);
  });

  test('malformed rules are reported and skipped', slow, async (t) => {
    const proxy = proxyFor(t);
    const bad = [tcpRule(0, 80, []), tcpRule(70000, 80, []), tcpRule(8080, 80, ['not-an-ip']), { ...tcpRule(8081, 80, []), protocol: 'sctp' } as unknown as IngressRule];
    const { errors } = await proxy.setRules(bad);
    assert.equal(errors.length, 4);
    assert.deepEqual(proxy.stats(), []);
  });

  test('calls overlapping in time converge to the last', slow, async (t) => {
    const [a, b] = [await freePort(), await freePort()];
    const proxy = proxyFor(t);
    const results = await Promise.all([proxy.setRules([tcpRule(a, 80, [])]), proxy.setRules([tcpRule(b, 80, [])]), proxy.setRules([tcpRule(a, 80, []), tcpRule(b, 80, [])])]);
    for (const r of results) assert.deepEqual(r.errors, []);
    assert.deepEqual(proxy.stats().map((s) => s.port).sort(), [a, b].sort());
  });

  test('a pino logger fits the options', () => {
    const logger: IngressLogger = createLogger('ingress-test', 'silent');
    assert.ok(new IngressProxy({ logger }));
  });
});
