import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';

/** Test helpers: a stub client and a fake upstream resolver, both on loopback. */

export interface AskOptions {
  type?: dnsPacket.RecordType;
  /** The source address: the table knows clients by it (any 127.0.0.0/8 address works on Linux). */
  from?: string;
  edns?: boolean;
  id?: number;
  timeoutMs?: number;
}

/** dns-packet decodes the rcode but its types leave it out. */
export type DnsAnswer = dnsPacket.DecodedPacket & { rcode: string };
export const decodeAnswer = (raw: Buffer): DnsAnswer => dnsPacket.decode(raw) as DnsAnswer;

export function queryPacket(name: string, opts: AskOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: opts.type ?? 'A', name, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

/** Sends raw bytes over UDP and returns the raw answer, or undefined after the timeout. */
export function sendUdp(port: number, packet: Buffer, from = '127.0.0.1', timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('error', reject);
    s.on('message', (msg) => {
      clearTimeout(timer);
      s.close();
      resolve(msg);
    });
    s.bind(0, from, () => s.send(packet, port, '127.0.0.1'));
  });
}

export async function ask(port: number, name: string, opts: AskOptions = {}): Promise<DnsAnswer> {
  const raw = await sendUdp(port, queryPacket(name, opts), opts.from, opts.timeoutMs);
  if (!raw) throw new Error(`no answer for ${name}`);
  return decodeAnswer(raw);
}

export function askTcp(port: number, name: string, opts: AskOptions = {}): Promise<DnsAnswer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: opts.from ?? '127.0.0.1' });
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('connect', () => {
      const q = queryPacket(name, opts);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      s.write(Buffer.concat([len, q]));
    });
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(decodeAnswer(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
  });
}

export const addresses = (p: dnsPacket.DecodedPacket): string[] => (p.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : []));

/** A resolver on 127.0.0.1 that answers every A question with `ip` (or stays silent). */
export async function fakeUpstream(ip: string | undefined): Promise<{ port: number; asked: string[]; close: () => void }> {
  const s = createSocket('udp4');
  const asked: string[] = [];
  s.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    asked.push(question.name);
    if (ip === undefined) return;
    s.send(
      dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: [question], answers: [{ type: 'A', name: question.name, ttl: 60, data: ip }] }),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return { port: s.address().port, asked, close: () => s.close() };
}
