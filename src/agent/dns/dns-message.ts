import dnsPacket from 'dns-packet';

/**
 * The DNS wire format of the resolver. Queries are decoded by `dns-packet` (which bounds name
 * lengths and refuses compression pointers that do not point backwards, so loops cannot hang
 * it); answers are written here because they are always the same shape, and a compression
 * pointer to the question per record fits 3× more records in a 512-byte UDP answer than the
 * library's uncompressed names.
 */

export const rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;
export type Rcode = (typeof rcode)[keyof typeof rcode];

const flagQr = 0x8000;
const flagAa = 0x0400;
const flagTc = 0x0200;
const flagRd = 0x0100;
const flagRa = 0x0080;
const typeA = 1;
const typeOpt = 41;
const classIn = 1;
const headerBytes = 12;
const aRecordBytes = 16;
const optRecordBytes = 11;
/** The EDNS buffer size we advertise and honour at most: the 2020 DNS flag day's safe value. */
const ednsMaxUdp = 1232;
/** What a query without EDNS may receive over UDP (RFC 1035). */
const classicUdp = 512;

export interface DnsQuery {
  id: number;
  recursionDesired: boolean;
  /** As the client spelled it (case kept: some resolvers randomise case and check the echo). */
  name: string;
  type: string;
  class: string;
  /** Where the question ends in the query: the answer copies the question bytes as sent. */
  questionEnd: number;
  /** The largest UDP answer this client accepts. */
  udpLimit: number;
  edns: boolean;
}

export type ParsedQuery = { kind: 'query'; query: DnsQuery } | { kind: 'notimp'; id: number } | { kind: 'malformed' };

/** Reads one query. Anything that is not a well-formed standard query is `malformed`. */
export function parseQuery(buf: Buffer): ParsedQuery {
  // Cheap header checks first, so junk costs no decode: responses are never answered (that
  // would let two resolvers bounce a packet forever), and only one question is meaningful.
  if (buf.length < headerBytes) return { kind: 'malformed' };
  const flags = buf.readUInt16BE(2);
  if (flags & flagQr) return { kind: 'malformed' };
  if (buf.readUInt16BE(4) !== 1) return { kind: 'malformed' };
  const opcode = (flags >> 11) & 0xf;
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch {
    return { kind: 'malformed' };
  }
  if (opcode !== 0) return { kind: 'notimp', id: packet.id ?? 0 };
  const q = packet.questions?.[0];
  if (!q || typeof q.name !== 'string') return { kind: 'malformed' };
  const opt = packet.additionals?.find((a) => a.type === 'OPT');
  const udpPayloadSize = opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : 0;
  return {
    kind: 'query',
    query: {
      id: packet.id ?? 0,
      recursionDesired: (flags & flagRd) !== 0,
      name: q.name,
      type: String(q.type),
      class: String(q.class ?? 'IN'),
      questionEnd: questionEnd(buf),
      udpLimit: opt ? Math.min(Math.max(udpPayloadSize, classicUdp), ednsMaxUdp) : classicUdp,
      edns: opt !== undefined,
    },
  };
}

/** The end of the (already validated) first question: its name's labels, then type and class. */
function questionEnd(buf: Buffer): number {
  let o = headerBytes;
  for (;;) {
    const len = buf[o] ?? 0;
    if (len === 0) return o + 1 + 4;
    if ((len & 0xc0) === 0xc0) return o + 2 + 4;
    o += 1 + len;
  }
}

export interface AnswerOptions {
  rcode: Rcode;
  /** Our own zone's answers are authoritative; refusals and forwarding failures are not. */
  authoritative: boolean;
  ips?: string[];
  /** The largest message allowed: the client's UDP limit, or 65535 over TCP. */
  maxBytes: number;
}

/** An answer to `query` (read from `queryBuf`): the question echoed, then A records. */
export function buildAnswer(queryBuf: Buffer, query: DnsQuery, opts: AnswerOptions): Buffer {
  const question = queryBuf.subarray(headerBytes, query.questionEnd);
  const fixed = headerBytes + question.length + (query.edns ? optRecordBytes : 0);
  const ips = (opts.ips ?? []).map(ipv4Bytes).filter((b): b is Buffer => b !== undefined);
  // What does not fit is left out with TC set, so a client that wants all of them retries
  // over TCP; one that takes the first address is already served.
  const fit = Math.max(0, Math.min(ips.length, Math.floor((opts.maxBytes - fixed) / aRecordBytes)));
  const out = Buffer.alloc(fixed + fit * aRecordBytes);
  let flags = flagQr | flagRa | opts.rcode;
  if (query.recursionDesired) flags |= flagRd;
  if (opts.authoritative) flags |= flagAa;
  if (fit < ips.length) flags |= flagTc;
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(fit, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(query.edns ? 1 : 0, 10);
  question.copy(out, headerBytes);
  let o = headerBytes + question.length;
  for (let i = 0; i < fit; i++) {
    out.writeUInt16BE(0xc000 | headerBytes, o); // the question's name
    out.writeUInt16BE(typeA, o + 2);
    out.writeUInt16BE(classIn, o + 4);
    out.writeUInt32BE(answerTtlSeconds, o + 6);
    out.writeUInt16BE(4, o + 10);
    (ips[i] as Buffer).copy(out, o + 12);
    o += aRecordBytes;
  }
  if (query.edns) {
    // RFC 6891: a query with OPT gets OPT back. Root name, type OPT, class = our buffer size.
    out.writeUInt8(0, o);
    out.writeUInt16BE(typeOpt, o + 1);
    out.writeUInt16BE(ednsMaxUdp, o + 3);
    out.writeUInt32BE(0, o + 5);
    out.writeUInt16BE(0, o + 9);
  }
  return out;
}

/** A bare header answer, for queries whose question we do not look at (unknown opcodes). */
export function buildHeaderOnly(id: number, code: Rcode): Buffer {
  const out = Buffer.alloc(headerBytes);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(flagQr | flagRa | code, 2);
  return out;
}

/**
 * Zero: clients ask again each time, so a task change reaches them as soon as the table
 * changes (the issue asks for under a second), at the cost of one loopback query per lookup.
 */
export const answerTtlSeconds = 0;

function ipv4Bytes(ip: string): Buffer | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map(Number);
  if (bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) return undefined;
  return Buffer.from(bytes);
}
