import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { Upstream } from './upstream-servers.js';

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per upstream tried; the next one is asked when it passes. */
  timeoutMs: number;
  /** Forwards waiting at once; more are refused at once (SERVFAIL), so a flood cannot grow memory. */
  maxInFlight: number;
}

/**
 * Sends names that are not Shoal's to the host's resolvers and returns their answer as is.
 * Each forward uses a fresh socket (a random source port) and a random id, and accepts only a
 * response with that id and the same question, so nobody can slip in a forged answer by
 * guessing one of them.
 */
export class DnsForwarder {
  private inFlight = 0;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: ForwarderOptions) {}

  get pending(): number {
    return this.inFlight;
  }

  /** The upstream answer with the client's id, or undefined when none answered in time. */
  async forward(query: Buffer, questionEnd: number, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    if (this.inFlight >= this.opts.maxInFlight || this.opts.upstreams.length === 0) return undefined;
    this.inFlight++;
    try {
      const clientId = query.readUInt16BE(0);
      for (const upstream of this.opts.upstreams) {
        const id = randomInt(0, 0x10000);
        const out = Buffer.from(query);
        out.writeUInt16BE(id, 0);
        const answer = transport === 'udp' ? await this.viaUdp(upstream, out, questionEnd) : await viaTcp(upstream, out, questionEnd, this.opts.timeoutMs);
        if (answer) {
          answer.writeUInt16BE(clientId, 0);
          return answer;
        }
      }
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  /** Closes the sockets of forwards still waiting (they then answer undefined). */
  close(): void {
    for (const s of this.sockets) s.close();
    this.sockets.clear();
  }

  private viaUdp(upstream: Upstream, query: Buffer, questionEnd: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = createSocket(isIPv6(upstream.address.split('%')[0] ?? '') ? 'udp6' : 'udp4');
      this.sockets.add(socket);
      let done = false;
      const finish = (answer: Buffer | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.sockets.delete(socket);
        try {
          socket.close();
        } catch {
          // already closed by close()
        }
        resolve(answer);
      };
      const timer = setTimeout(() => finish(undefined), this.opts.timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('message', (msg, rinfo) => {
        if (rinfo.address !== upstream.address.split('%')[0] || rinfo.port !== upstream.port) return;
        if (answers(msg, query, questionEnd)) finish(msg);
      });
      socket.send(query, upstream.port, upstream.address, (err) => {
        if (err) finish(undefined);
      });
    });
  }
}

/** Whether `msg` is the response to `query`: same id, a response, the same question. */
function answers(msg: Buffer, query: Buffer, questionEnd: number): boolean {
  if (msg.length < questionEnd || msg.readUInt16BE(0) !== query.readUInt16BE(0)) return false;
  if ((msg.readUInt16BE(2) & 0x8000) === 0) return false;
  if (msg.readUInt16BE(4) !== 1) return false;
  // Case-insensitive: upstreams may echo the name in another case.
  return msg.toString('latin1', 12, questionEnd).toLowerCase() === query.toString('latin1', 12, questionEnd).toLowerCase();
}

function viaTcp(upstream: Upstream, query: Buffer, questionEnd: number, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.address, port: upstream.port });
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (answer: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      socket.write(Buffer.concat([len, query]));
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size < 2) return;
      const all = Buffer.concat(chunks);
      const want = all.readUInt16BE(0);
      if (all.length < 2 + want) return;
      const msg = all.subarray(2, 2 + want);
      finish(answers(msg, query, questionEnd) ? Buffer.from(msg) : undefined);
    });
  });
}
