import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { identityOfSubject } from '../../lib/pki/certificate-identity.js';

export interface TlsPostOptions {
  /** Client credentials and trusted CA; absent on first join, where `verifyPeer` pins instead. */
  key?: string;
  cert?: string;
  ca?: string;
  /** Runs once the handshake is done and before a byte of the body is sent. */
  verifyPeer?: (socket: TLSSocket) => Error | undefined;
  timeoutMs?: number;
}

export class ManagerRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ManagerRefusedError';
  }
}

/** The server's certificate must be a manager's of the trusted CA; the host name is not checked. */
export function checkManagerCertificate(_host: string, cert: PeerCertificate): Error | undefined {
  const identity = identityOfSubject(cert.subject);
  return identity?.role === 'manager' ? undefined : new Error('the server\'s certificate is not a Shoal manager\'s');
}

/** POSTs JSON to the agent port and returns the JSON answer; a 4xx becomes ManagerRefusedError with the manager's message. */
export function tlsPostJson<T>(url: string, body: unknown, options: TlsPostOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const payload = JSON.stringify(body);
    const pinned = options.ca === undefined;
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: options.timeoutMs ?? 15_000,
      ...(options.key ? { key: options.key, cert: options.cert } : {}),
      ...(pinned ? { rejectUnauthorized: false } : { ca: options.ca, checkServerIdentity: checkManagerCertificate }),
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in time`)));
    req.on('error', reject);
    req.on('socket', (socket) => {
      (socket as TLSSocket).once('secureConnect', () => {
        const problem = options.verifyPeer?.(socket as TLSSocket);
        if (problem) req.destroy(problem);
        else req.end(payload);
      });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          reject(new Error(`the manager answered ${res.statusCode ?? '?'} with no JSON`));
          return;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(parsed as T);
        else reject(new ManagerRefusedError(status, (parsed as { error?: { message?: string } }).error?.message ?? `status ${status}`));
      });
    });
  });
}
