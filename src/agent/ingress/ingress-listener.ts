import type { IngressRule } from '../../api/networks.js';

/** What the ingress logs through; a pino `Logger` fits. */
export interface IngressLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** One published port of one protocol, bound on the node, forwarding to its rule's backends. */
export interface IngressListener {
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** Binds; rejects with the bind error (the port in use, say). */
  listen(): Promise<void>;
  /** New backends or target port for new connections / sessions; the socket stays bound. */
  update(rule: IngressRule): void;
  /** Unbinds and ends every connection or session it holds. Safe to call twice. */
  close(): Promise<void>;
  /** Where new connections or sessions go now. */
  backends(): string[];
  /** Connections (TCP) or sessions (UDP) handed to each backend since it opened. */
  counts(): Record<string, number>;
  /** Connections or sessions open now. */
  readonly active: number;
}
