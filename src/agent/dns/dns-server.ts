import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../../lib/logger.js';
import { DnsForwarder } from './dns-forwarder.js';
import { buildAnswer, buildHeaderOnly, parseQuery, rcode, type DnsQuery } from './dns-message.js';
import { buildDnsTable, type DnsTable } from './dns-table.js';
import { hostUpstreams, type Upstream } from './upstream-servers.js';

export interface DnsServerOptions {
  address: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  /** Default: the host's, from /etc/resolv.conf (without our own address). */
  upstreams?: Upstream[];
  /** Per upstream; default 2000. */
  forwardTimeoutMs?: number;
  /** Forwards waiting at once; default 256. */
  maxForwards?: number;
  /** Also answer over TCP (for clients that got a truncated UDP answer); default true. */
  tcp?: boolean;
  /** Default 64; more connections are refused by the kernel's accept path. */
  maxTcpConnections?: number;
  /** A TCP connection idle this long is closed; default 10000. */
  tcpIdleMs?: number;
  log?: Logger;
}

/** Counters since start. Names and addresses are never logged or kept, only counted. */
export interface DnsMetrics {
  /** Well-formed queries. */
  queries: number;
  /** Answered from the table (with records or with an empty answer). */
  answered: number;
  /** Of `answered`: NOERROR with no record (an AAAA for our name, a service with no healthy task). */
  nodata: number;
  nxdomain: number;
  /** From a source address that is no task's, or of a class other than IN. */
  refused: number;
  notimp: number;
  forwarded: number;
  /** Forwards no upstream answered in time (or refused because too many were waiting): SERVFAIL. */
  forwardFailed: number;
  /** Packets dropped without an answer: not a single-question standard query we can read. */
  malformed: number;
}

const tcpFrameMax = 2 + 0xffff;

/**
 * The agent's resolver: answers Shoal names from the current table (`setTable` swaps it
 * atomically; the table decides who asks from the source address) and forwards other names to
 * the host's resolvers. Nothing a client sends can make it throw: every packet is either
 * answered or dropped and counted.
 */
export class DnsServer {
  private table: DnsTable = buildDnsTable({ services: [] });
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<Socket>();
  private forwarder: DnsForwarder | undefined;
  private readonly counters: DnsMetrics = { queries: 0, answered: 0, nodata: 0, nxdomain: 0, refused: 0, notimp: 0, forwarded: 0, forwardFailed: 0, malformed: 0 };

  constructor(private readonly opts: DnsServerOptions) {}

  get metrics(): DnsMetrics {
    return { ...this.counters };
  }

  /** Forwards waiting and TCP connections open: what a flood could make grow. */
  get load(): { pendingForwards: number; tcpConnections: number } {
    return { pendingForwards: this.forwarder?.pending ?? 0, tcpConnections: this.connections.size };
  }

  setTable(table: DnsTable): void {
    this.table = table;
  }

  /** Binds and returns the address and port it listens on. */
  async start(): Promise<{ address: string; port: number }> {
    let lastErr: unknown;
    // With port 0 the kernel picks UDP's port; TCP may find it taken, so try a few.
    for (let attempt = 0; attempt < (this.opts.port === 0 ? 5 : 1); attempt++) {
      const udp = createSocket({ type: isIPv6(this.opts.address) ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(this.opts.port, this.opts.address, () => {
            udp.off('error', reject);
            resolve();
          });
        });
        const port = udp.address().port;
        if (this.opts.tcp !== false) this.tcp = await this.listenTcp(port);
        this.udp = udp;
        break;
      } catch (err) {
        lastErr = err;
        udp.close();
      }
    }
    if (!this.udp) throw lastErr instanceof Error ? lastErr : new Error(String(lastErr));
    const udp = this.udp;
    udp.on('error', (err) => this.opts.log?.warn({ err: err.message }, 'dns: udp socket error'));
    udp.on('message', (msg, rinfo) => {
      this.handle(msg, rinfo.address, 'udp', (answer) => {
        if (this.udp === udp) udp.send(answer, rinfo.port, rinfo.address, () => undefined);
      });
    });
    const self = { address: this.opts.address, port: udp.address().port };
    this.forwarder = new DnsForwarder({
      upstreams: this.opts.upstreams ?? (await hostUpstreams(self)),
      timeoutMs: this.opts.forwardTimeoutMs ?? 2000,
      maxInFlight: this.opts.maxForwards ?? 256,
    });
    return self;
  }

  async close(): Promise<void> {
    const udp = this.udp;
    this.udp = undefined;
    this.forwarder?.close();
    udp?.close();
    for (const c of this.connections) c.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private listenTcp(port: number): Promise<Server> {
    const server = createServer((socket) => this.serveTcp(socket));
    server.maxConnections = this.opts.maxTcpConnections ?? 64;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.address, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log?.warn({ err: err.message }, 'dns: tcp server error'));
        resolve(server);
      });
    });
  }

  /** Length-prefixed messages (RFC 1035 4.2.2), several per connection, answered in any order. */
  private serveTcp(socket: Socket): void {
    this.connections.add(socket);
    let pending = Buffer.alloc(0);
    socket.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    const source = socket.remoteAddress ?? '';
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        this.handle(msg, source, 'tcp', (answer) => {
          if (socket.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(answer.length);
          socket.write(Buffer.concat([len, answer]));
        });
      }
      // A frame is at most 64 KiB; more than that waiting means a client not reading answers.
      if (pending.length > tcpFrameMax) socket.destroy();
    });
  }

  private handle(msg: Buffer, source: string, transport: 'udp' | 'tcp', send: (answer: Buffer) => void): void {
    try {
      this.answer(msg, source, transport, send);
    } catch (err) {
      // Not expected (parseQuery checks everything it reads), but a resolver that stops for one
      // odd packet would take every container's name resolution with it.
      this.counters.malformed++;
      this.opts.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'dns: packet dropped after an internal error');
    }
  }

  private answer(msg: Buffer, source: string, transport: 'udp' | 'tcp', send: (answer: Buffer) => void): void {
    const parsed = parseQuery(msg);
    if (parsed.kind === 'malformed') {
      this.counters.malformed++;
      return;
    }
    if (parsed.kind === 'notimp') {
      this.counters.notimp++;
      send(buildHeaderOnly(parsed.id, rcode.notImp));
      return;
    }
    const query = parsed.query;
    this.counters.queries++;
    const maxBytes = transport === 'udp' ? query.udpLimit : 0xffff;
    const client = this.table.clientFor(source);
    // Unknown sources are refused every name, forwarded ones too: the resolver is no open
    // resolver for whoever reaches its address, and task addresses are in the table before
    // their containers start.
    if (!client || (query.class !== 'IN' && query.class !== 'ANY')) {
      this.counters.refused++;
      send(buildAnswer(msg, query, { rcode: rcode.refused, authoritative: false, maxBytes }));
      return;
    }
    const res = this.table.resolve(query.name, client);
    if (res.kind === 'nxdomain') {
      this.counters.nxdomain++;
      send(buildAnswer(msg, query, { rcode: rcode.nxDomain, authoritative: true, maxBytes }));
      return;
    }
    if (res.kind === 'records') {
      const ips = query.type === 'A' || query.type === 'ANY' ? res.ips : [];
      this.counters.answered++;
      if (ips.length === 0) this.counters.nodata++;
      send(buildAnswer(msg, query, { rcode: rcode.noError, authoritative: true, ips, maxBytes }));
      return;
    }
    this.forward(msg, query, transport, maxBytes, send);
  }

  private forward(msg: Buffer, query: DnsQuery, transport: 'udp' | 'tcp', maxBytes: number, send: (answer: Buffer) => void): void {
    this.counters.forwarded++;
    const forwarder = this.forwarder;
    const failed = (): void => {
      this.counters.forwardFailed++;
      send(buildAnswer(msg, query, { rcode: rcode.servFail, authoritative: false, maxBytes }));
    };
    if (!forwarder) return failed();
    forwarder.forward(msg, query.questionEnd, transport).then(
      (answer) => (answer ? send(answer) : failed()),
      () => failed(),
    );
  }
}
