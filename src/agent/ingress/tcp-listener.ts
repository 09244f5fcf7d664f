import { connect, createServer, type Server, type Socket } from 'node:net';
import type { IngressRule } from '../../api/networks.js';
import { BackendRing } from './backend-ring.js';
import type { IngressListener, IngressLogger } from './ingress-listener.js';

export interface TcpListenerOptions {
  host: string;
  connectTimeoutMs: number;
  logger?: IngressLogger | undefined;
}

/** Probes dead peers of idle proxied connections (a node gone without a FIN or RST). */
const keepAliveMs = 60_000;

/**
 * A published TCP port: each accepted connection goes to the next backend in turn; a backend
 * that refuses or does not answer in time is skipped (each tried at most once), and when none
 * is left the client is reset. Bytes are piped both ways with half-close kept (`allowHalfOpen`),
 * so a client that shuts down its side still gets the whole answer.
 */
export class TcpIngressListener implements IngressListener {
  readonly protocol = 'tcp';
  readonly port: number;
  private readonly server: Server;
  private readonly ring: BackendRing;
  private targetPort: number;
  private readonly clients = new Set<Socket>();
  private readonly upstreams = new Set<Socket>();
  private readonly handled = new Map<string, number>();
  private closing: Promise<void> | undefined;

  constructor(
    rule: IngressRule,
    private readonly opts: TcpListenerOptions,
  ) {
    this.port = rule.port;
    this.targetPort = rule.targetPort;
    this.ring = new BackendRing(rule.backends);
    // Paused until a backend is connected: the client's bytes wait in the kernel, not in memory.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (err: Error): void => reject(err);
      this.server.once('error', failed);
      this.server.listen({ port: this.port, host: this.opts.host }, () => {
        this.server.off('error', failed);
        // After binding, errors are accept failures (EMFILE): the server keeps listening.
        this.server.on('error', (err) => this.opts.logger?.warn({ port: this.port, protocol: 'tcp', err: err.message }, 'ingress: accept failed'));
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
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const s of [...this.clients, ...this.upstreams]) s.destroy();
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.handled);
  }

  get active(): number {
    return this.clients.size;
  }

  private track(set: Set<Socket>, socket: Socket): void {
    set.add(socket);
    socket.once('close', () => set.delete(socket));
  }

  private accept(client: Socket): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    this.track(this.clients, client);
    const backends = this.ring.order();
    // Errors before the backend is chosen (a client that resets at once) end the attempt via 'close'.
    client.on('error', () => undefined);
    if (backends.length === 0) {
      // The node still answers the port, as Swarm's ingress does; there is just no one behind it.
      client.destroy();
      return;
    }
    this.tryBackend(client, backends, 0, this.targetPort);
  }

  private tryBackend(client: Socket, backends: string[], index: number, port: number): void {
    if (client.destroyed || this.closing) return;
    const ip = backends[index];
    if (ip === undefined) {
      this.opts.logger?.warn({ port: this.port, protocol: 'tcp', backends }, 'ingress: no backend accepted the connection');
      reset(client);
      return;
    }
    const backend = connect({ host: ip, port, allowHalfOpen: true });
    this.track(this.upstreams, backend);
    let established = false;
    const timer = setTimeout(() => backend.destroy(new Error(`connect to ${ip}:${port} timed out`)), this.opts.connectTimeoutMs);
    const clientGone = (): void => {
      backend.destroy();
    };
    client.once('close', clientGone);
    backend.on('error', (err) => {
      if (established) reset(client);
      else this.opts.logger?.info({ port: this.port, protocol: 'tcp', backend: ip, err: err.message }, 'ingress: backend unreachable, trying the next');
    });
    backend.once('close', () => {
      clearTimeout(timer);
      if (!established) {
        client.off('close', clientGone);
        this.tryBackend(client, backends, index + 1, port);
      }
    });
    backend.once('connect', () => {
      clearTimeout(timer);
      established = true;
      client.off('close', clientGone);
      this.handled.set(ip, (this.handled.get(ip) ?? 0) + 1);
      this.splice(client, backend);
    });
  }

  private splice(client: Socket, backend: Socket): void {
    client.setKeepAlive(true, keepAliveMs);
    backend.setKeepAlive(true, keepAliveMs);
    // Bytes go on as they come: the endpoints already chose their write sizes, and Nagle's
    // algorithm here would add a delay to every small request-response exchange.
    client.setNoDelay(true);
    backend.setNoDelay(true);
    // A reset on one side is passed on as a reset; a clean end is passed on by pipe() as an end.
    client.on('error', () => reset(backend));
    // Destroyed without an error (close() of the proxy, say) before both ends finished.
    client.once('close', () => {
      if (!backend.writableEnded) backend.destroy();
    });
    backend.once('close', () => {
      if (!client.writableEnded) client.destroy();
    });
    client.pipe(backend);
    backend.pipe(client);
  }
}

/** Ends the connection with an RST, so the peer knows it was cut rather than finished. */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  socket.resetAndDestroy();
  if (!socket.destroyed) socket.destroy();
}
