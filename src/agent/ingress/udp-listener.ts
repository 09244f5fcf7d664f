import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { IngressRule } from '../../api/networks.js';
import { BackendRing } from './backend-ring.js';
import type { IngressListener, IngressLogger } from './ingress-listener.js';

export interface UdpListenerOptions {
  host: string;
  idleMs: number;
  /** Sessions at once; datagrams from further clients are dropped. Each session holds a socket. */
  maxSessions: number;
  logger?: IngressLogger | undefined;
}

interface UdpSession {
  socket: Socket;
  backend: string;
  targetPort: number;
  timer: NodeJS.Timeout;
}

const ignore = (): void => undefined;

/**
 * A published UDP port. UDP has no connection, so a session stands for one: per client
 * address and port, a socket of its own sends to one backend (chosen in turn when the session
 * starts) and receives its replies, which go back to the client from the published port.
 * A session ends after `idleMs` without a datagram either way.
 */
export class UdpIngressListener implements IngressListener {
  readonly protocol = 'udp';
  readonly port: number;
  private readonly socket: Socket;
  private readonly ring: BackendRing;
  private targetPort: number;
  private readonly sessions = new Map<string, UdpSession>();
  private readonly handled = new Map<string, number>();
  private closing: Promise<void> | undefined;

  constructor(
    rule: IngressRule,
    private readonly opts: UdpListenerOptions,
  ) {
    this.port = rule.port;
    this.targetPort = rule.targetPort;
    this.ring = new BackendRing(rule.backends);
    this.socket = createSocket({ type: isIPv6(opts.host) ? 'udp6' : 'udp4' });
    this.socket.on('message', (msg, rinfo) => this.forward(msg, rinfo));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => reject(err);
      this.socket.once('error', failed);
      this.socket.bind({ port: this.port, address: this.opts.host }, () => {
        this.socket.off('error', failed);
        this.socket.on('error', (err) => this.opts.logger?.warn({ port: this.port, protocol: 'udp', err: err.message }, 'ingress: socket error'));
        resolve();
      });
    });
  }

  backends(): string[] {
    return this.ring.list();
  }

  update(rule: IngressRule): void {
    this.ring.set(rule.backends);
    this.targetPort = rule.targetPort;
    // A TCP connection to a task that left may still finish; a UDP session to it would only
    // swallow datagrams until it expires, so it ends now and the client's next datagram starts
    // a session to a live backend.
    for (const [key, s] of this.sessions) {
      if (!this.ring.has(s.backend) || s.targetPort !== this.targetPort) this.endSession(key);
    }
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const key of [...this.sessions.keys()]) this.endSession(key);
      try {
        this.socket.close(() => resolve());
      } catch {
        // Closed already (a failed bind can leave it so): nothing is held.
        resolve();
      }
    });
    return this.closing;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.handled);
  }

  get active(): number {
    return this.sessions.size;
  }

  private forward(msg: Buffer, client: RemoteInfo): void {
    if (this.closing) return;
    const key = `${client.address}|${client.port}`;
    const session = this.sessions.get(key) ?? this.openSession(key, client);
    if (!session) return;
    session.timer.refresh();
    session.socket.send(msg, session.targetPort, session.backend, ignore);
  }

  private openSession(key: string, client: RemoteInfo): UdpSession | undefined {
    const backend = this.ring.order()[0];
    // No backend: dropped, as a port with no task behind it would.
    if (backend === undefined || this.sessions.size >= this.opts.maxSessions) return undefined;
    const socket = createSocket({ type: isIPv6(backend) ? 'udp6' : 'udp4' });
    const session: UdpSession = {
      socket,
      backend,
      targetPort: this.targetPort,
      timer: setTimeout(() => this.endSession(key), this.opts.idleMs),
    };
    session.timer.unref();
    socket.on('error', (err) => {
      this.opts.logger?.info({ port: this.port, protocol: 'udp', backend, err: err.message }, 'ingress: session socket failed');
      this.endSession(key);
    });
    socket.on('message', (reply, from) => {
      // The session socket is not connected: only the backend's own replies are passed on.
      if (from.address !== backend || from.port !== session.targetPort) return;
      session.timer.refresh();
      this.socket.send(reply, client.port, client.address, ignore);
    });
    this.sessions.set(key, session);
    this.handled.set(backend, (this.handled.get(backend) ?? 0) + 1);
    return session;
  }

  private endSession(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    clearTimeout(s.timer);
    try {
      s.socket.close();
    } catch {
      // Already closed by its own error.
    }
  }
}
