import { isIP } from 'node:net';
import { z } from 'zod';
import type { IngressPortStatus } from '../../api/ingress-status.js';
import type { IngressRule } from '../../api/networks.js';
import type { IngressListener, IngressLogger } from './ingress-listener.js';
import { TcpIngressListener } from './tcp-listener.js';
import { UdpIngressListener } from './udp-listener.js';

export type { IngressLogger } from './ingress-listener.js';

export interface IngressProxyOptions {
  /** Address the published ports are bound on; default '0.0.0.0' (every address of the node). */
  host?: string;
  logger?: IngressLogger;
  /** A UDP session without a datagram either way for this long ends; default 30000. */
  udpIdleMs?: number;
  /** Per backend tried for a TCP connection; default 3000. */
  connectTimeoutMs?: number;
  /** UDP sessions at once per published port; default 4096 (each holds a socket). */
  maxUdpSessions?: number;
}

export interface IngressRuleError {
  port: number;
  protocol: string;
  message: string;
}

export interface IngressListenerStats {
  protocol: string;
  port: number;
  /** Connections (TCP) or sessions (UDP) handed to each backend address since the port opened. */
  backends: Record<string, number>;
  /** Connections or sessions open now. */
  active: number;
}

const portNumber = z.number().int().min(1).max(65535);
const ruleSchema = z.object({
  serviceName: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  port: portNumber,
  targetPort: portNumber,
  backends: z.array(z.string().refine((s) => isIP(s) !== 0, 'not an IP address')),
});

const keyOf = (protocol: string, port: number): string => `${protocol}/${port}`;

/**
 * The node's side of the routing mesh: every port published in ingress mode is bound on this
 * node and balanced over the service's tasks wherever they run, in user space (the kernel has
 * no IPVS here), like docker-proxy or kube-proxy's userspace mode. The agent passes the whole
 * rule list from each network plan; `setRules` converges the bound ports to it.
 */
export class IngressProxy {
  private readonly host: string;
  private readonly listeners = new Map<string, IngressListener>();
  /** setRules and close run one at a time, in call order: each sees the ports the last left. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: IngressProxyOptions = {}) {
    this.host = options.host ?? '0.0.0.0';
  }

  /**
   * Opens new ports, closes removed ones, and swaps backends and target ports in place (open
   * connections stay, the port is never unbound). Resolves when every port is bound; a port
   * that cannot be bound (in use), a second rule for a port, or a malformed rule is reported
   * in `errors`, and binding is tried again on the next call.
   */
  setRules(rules: IngressRule[]): Promise<{ errors: IngressRuleError[] }> {
    return this.serialized(() => this.converge(rules));
  }

  /** Closes every listener and every proxied connection; later setRules calls bind nothing. */
  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      const all = [...this.listeners.values()];
      this.listeners.clear();
      await Promise.all(all.map((l) => l.close()));
    });
  }

  /** The ports bound now and where each forwards: what the agent reports to the manager. */
  bound(): IngressPortStatus[] {
    return [...this.listeners.values()].map((l) => ({ protocol: l.protocol, port: l.port, backends: l.backends() }));
  }

  /** For diagnostics and tests: per bound port, what each backend was handed. */
  stats(): IngressListenerStats[] {
    return [...this.listeners.values()].map((l) => ({ protocol: l.protocol, port: l.port, backends: l.counts(), active: l.active }));
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async converge(rules: IngressRule[]): Promise<{ errors: IngressRuleError[] }> {
    const errors: IngressRuleError[] = [];
    const wanted = new Map<string, IngressRule>();
    for (const rule of rules) {
      const parsed = ruleSchema.safeParse(rule);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        errors.push({ port: rule.port, protocol: String(rule.protocol), message: `${issue?.path.join('.') ?? 'rule'}: ${issue?.message ?? 'invalid'}` });
        continue;
      }
      const key = keyOf(rule.protocol, rule.port);
      const first = wanted.get(key);
      if (first) {
        errors.push({ port: rule.port, protocol: rule.protocol, message: `port ${rule.port}/${rule.protocol} of service ${rule.serviceName} is already published by service ${first.serviceName}` });
        continue;
      }
      wanted.set(key, rule);
    }
    if (this.closed) {
      for (const rule of wanted.values()) errors.push({ port: rule.port, protocol: rule.protocol, message: 'the ingress proxy is closed' });
      return { errors };
    }

    const removed = [...this.listeners].filter(([key]) => !wanted.has(key));
    for (const [key] of removed) this.listeners.delete(key);
    await Promise.all(removed.map(([, l]) => l.close()));
    for (const [key] of removed) this.options.logger?.info({ port: key }, 'ingress: port closed');

    await Promise.all(
      [...wanted].map(async ([key, rule]) => {
        const existing = this.listeners.get(key);
        if (existing) {
          existing.update(rule);
          return;
        }
        const listener = this.listenerFor(rule);
        try {
          await listener.listen();
          this.listeners.set(key, listener);
          this.options.logger?.info({ port: rule.port, protocol: rule.protocol, service: rule.serviceName, backends: rule.backends.length }, 'ingress: port published');
        } catch (err) {
          await listener.close();
          const message = `cannot bind ${this.host}:${rule.port}/${rule.protocol} for service ${rule.serviceName}: ${err instanceof Error ? err.message : String(err)}`;
          errors.push({ port: rule.port, protocol: rule.protocol, message });
          this.options.logger?.warn({ port: rule.port, protocol: rule.protocol, service: rule.serviceName }, message);
        }
      }),
    );
    return { errors };
  }

  private listenerFor(rule: IngressRule): IngressListener {
    const logger = this.options.logger;
    if (rule.protocol === 'tcp') return new TcpIngressListener(rule, { host: this.host, connectTimeoutMs: this.options.connectTimeoutMs ?? 3000, logger });
    return new UdpIngressListener(rule, { host: this.host, idleMs: this.options.udpIdleMs ?? 30_000, maxSessions: this.options.maxUdpSessions ?? 4096, logger });
  }
}
