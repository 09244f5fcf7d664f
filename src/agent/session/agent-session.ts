import WebSocket from 'ws';
import type { AgentMessage, ManagerMessage } from '../../api/agent-protocol.js';
import type { NodeNetworkPlan } from '../../api/networks.js';
import { Backoff } from '../../lib/backoff.js';
import type { Logger } from '../../lib/logger.js';
import type { Executor } from '../exec/executor.js';
import { checkManagerCertificate } from '../join/tls-request.js';
import type { NodeIdFile } from '../node-id-file.js';
import type { Worker } from '../worker/worker.js';
import { LogStreams } from './log-streams.js';

export interface AgentSessionOptions {
  /** wss://host:port/v1/agent/session on the manager's agent port */
  url: string;
  /** The node's current key and certificates (read at each connect: renewal replaces them). */
  credentials: () => { keyPem: string; certificatePem: string; caCertificatePem: string };
  hostname?: string;
  nodeId: string | undefined;
  nodeIdFile: NodeIdFile;
  executor: Executor;
  worker: Worker;
  logger: Logger;
  /** The manager's network plan for this node (none: plans are ignored). */
  onNetworkPlan?: (plan: NodeNetworkPlan) => void;
}

/** A session with no frame (message or pong) for this many heartbeat periods is dead. */
const silentPeriods = 3;

/**
 * The agent's side of the session: hello → welcome → heartbeats, assignments down, status
 * and logs up. When the connection drops it reconnects with backoff; containers keep running
 * meanwhile, and the next hello tells the manager what happened to every task.
 */
export class AgentSession {
  private ws: WebSocket | undefined;
  private nodeIdValue: string | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private readonly backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
  private readonly logs: LogStreams;

  constructor(private readonly options: AgentSessionOptions) {
    this.nodeIdValue = options.nodeId;
    this.logs = new LogStreams(options.executor, (taskId) => options.worker.containerOf(taskId), (msg) => this.send(msg), options.logger);
  }

  nodeId(): string | undefined {
    return this.nodeIdValue;
  }

  start(): void {
    this.connect();
  }

  /** Sends when connected; false otherwise (what is lost is resent as the next hello). */
  send(msg: AgentMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopHeartbeats();
    this.logs.cancelAll();
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, 'agent stopping');
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const { logger } = this.options;
    const creds = this.options.credentials();
    // ws hands these to tls.connect; its typing of checkServerIdentity (returning a boolean)
    // is not what tls calls, hence the cast.
    const tlsOptions = {
      handshakeTimeout: 5000,
      key: creds.keyPem,
      cert: creds.certificatePem,
      ca: creds.caCertificatePem,
      checkServerIdentity: checkManagerCertificate,
    };
    const ws = new WebSocket(this.options.url, tlsOptions as unknown as WebSocket.ClientOptions);
    let welcomed = false;
    ws.once('message', () => (welcomed = true));
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      this.hello(ws).catch((err: unknown) => {
        logger.warn({ err }, 'could not send hello; reconnecting');
        ws.terminate();
      });
    });
    ws.on('message', (data, isBinary) => {
      this.lastHeard = Date.now();
      if (isBinary) return;
      this.onMessage(ws, rawText(data));
    });
    ws.on('pong', () => {
      this.lastHeard = Date.now();
    });
    ws.on('error', (err) => {
      // A manager that closes the connection right after the handshake has refused this node's
      // certificate: the node was removed, or its certificate expired.
      if (!welcomed) logger.warn({ reason: err.message }, 'could not open a session with the manager (refused or unreachable)');
      else logger.debug({ err }, 'session connection error');
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.stopHeartbeats();
      this.logs.cancelAll();
      if (this.stopped) return;
      const delay = this.backoff.next();
      logger.info({ code, reason: reason.toString(), retryInMs: delay }, 'session closed; reconnecting');
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.connect();
      }, delay);
    });
  }

  private async hello(ws: WebSocket): Promise<void> {
    const { executor, worker } = this.options;
    const description = await executor.describe();
    if (this.ws !== ws) return;
    const msg: AgentMessage = {
      type: 'hello',
      hostname: this.options.hostname ?? description.hostname,
      resources: description.resources,
      engine: description.engine,
      tasks: worker.observed(),
      ...(this.options.onNetworkPlan ? { networking: true } : {}),
    };
    this.send(msg);
  }

  private onMessage(ws: WebSocket, text: string): void {
    const { logger, worker } = this.options;
    let msg: ManagerMessage;
    try {
      msg = JSON.parse(text) as ManagerMessage;
    } catch {
      logger.warn('malformed message from manager ignored');
      return;
    }
    switch (msg.type) {
      case 'welcome':
        this.welcome(ws, msg.nodeId, msg.heartbeatPeriodMs);
        break;
      case 'assignments':
        worker.apply(msg);
        break;
      case 'network':
        this.options.onNetworkPlan?.(msg.plan);
        break;
      case 'logs.request':
        this.logs.start(msg);
        break;
      case 'logs.cancel':
        this.logs.cancel(msg.requestId);
        break;
      case 'error':
        // Refusals (e.g. this node was removed) are logged and retried with backoff: an
        // operator may fix the manager side without restarting every agent.
        logger.error({ code: msg.code, message: msg.message }, 'manager reported an error');
        break;
      default:
        logger.warn({ type: (msg as { type?: unknown }).type }, 'unknown message from manager ignored');
    }
  }

  private welcome(ws: WebSocket, nodeId: string, heartbeatPeriodMs: number): void {
    const { logger, worker, nodeIdFile } = this.options;
    this.backoff.reset();
    if (nodeId !== this.nodeIdValue) {
      this.nodeIdValue = nodeId;
      nodeIdFile.write(nodeId).catch((err: unknown) => logger.error({ err }, 'could not save the node id'));
    }
    worker.setNodeId(nodeId);
    logger.info({ nodeId, heartbeatPeriodMs }, 'joined the manager');
    this.stopHeartbeats();
    const period = Math.max(10, heartbeatPeriodMs);
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > silentPeriods * period) {
        logger.warn('manager silent; dropping the session');
        ws.terminate();
        return;
      }
      this.send({ type: 'heartbeat' });
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, period);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
