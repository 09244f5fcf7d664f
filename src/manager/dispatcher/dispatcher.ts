import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentMessage, LogLine, ManagerMessage, TaskFilePayload } from '../../api/agent-protocol.js';
import type { NodeNetworkPlan } from '../../api/networks.js';
import { taskName, type NodeObject, type TaskObject } from '../../api/objects.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { PeerIdentity } from '../agent-listener/peer-identity.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import type { Change, ChangeBatch, Store, WatchHandle } from '../store/store.js';
import { parseAgentMessage } from './agent-message-schema.js';
import type { LogSource, TaskLogLine } from './log-source.js';
import { HeartbeatWatch } from './heartbeat-watch.js';
import { IngressReports } from './ingress-reports.js';
import { StatusWriter } from './status-writer.js';
import { filesForTasks, type TaskFileSource } from './task-files.js';

export interface DispatcherOptions {
  store: Store;
  logger: Logger;
  heartbeatPeriodMs?: number;
  /** Missed periods before a node is marked down. */
  heartbeatGracePeriods?: number;
  /** Secret and config content for the tasks assigned (none: assignments carry no files). */
  files?: TaskFileSource;
  /** The nodes' network plans (none: agents get no `network` messages). */
  networkPlans?: {
    plansFor(nodeIds: readonly string[]): Promise<Map<string, NodeNetworkPlan>>;
    /** Whether the change can change a plan (others are not worth a round). */
    affectedBy(change: Change): boolean;
  };
  /** How long store changes are gathered before the plans are made again (default 50 ms). */
  networkPlanDelayMs?: number;
}


interface Session {
  nodeId: string;
  socket: WebSocket;
  /** The agent asked for network plans (simulated agents do not). */
  networking: boolean;
}

interface LogRequest {
  emit: (lines: LogLine[]) => void;
  done: (error?: string) => void;
}

export const agentSessionPath = '/v1/agent/session';

/**
 * Keeps one session per connected agent: pushes assignments down as the store changes, applies
 * reported task states, and marks nodes down when their heartbeats stop.
 */
export class Dispatcher implements LogSource {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  private readonly sessions = new Map<string, Session>();
  private readonly heartbeats: HeartbeatWatch;
  private readonly logRequests = new Map<string, LogRequest>();
  private readonly statusWriter: StatusWriter;
  private readonly ingressReports: IngressReports;
  private readonly periodMs: number;
  private readonly graceMs: number;
  private watch: WatchHandle | undefined;
  private checker: NodeJS.Timeout | undefined;
  private readonly checkEveryMs: number;
  /** Incremental assignments go out in commit order, also while their files are read. */
  private pushQueue: Promise<void> = Promise.resolve();
  /** The plan text each node was last sent, so an unchanged plan is not sent again. */
  private readonly sentPlans = new Map<string, string>();
  private planTimer: NodeJS.Timeout | undefined;
  private planning: Promise<void> = Promise.resolve();

  constructor(private readonly options: DispatcherOptions) {
    this.periodMs = options.heartbeatPeriodMs ?? 1000;
    this.graceMs = this.periodMs * (options.heartbeatGracePeriods ?? 3);
    this.checkEveryMs = Math.max(100, this.periodMs / 2);
    this.heartbeats = new HeartbeatWatch(this.graceMs, this.checkEveryMs, Date.now());
    this.statusWriter = new StatusWriter(options.store, options.logger);
    this.ingressReports = new IngressReports(options.store, options.logger);
  }

  /**
   * Serves sessions on the agent port. The node is who its client certificate says (checked by
   * TLS and against revocations before any byte is read), so no message carries a credential.
   */
  async start(server: Server, identify: (req: IncomingMessage) => PeerIdentity | undefined): Promise<void> {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const identity = identify(req);
      if (req.url?.split('?')[0] !== agentSessionPath || !identity) {
        const status = identity ? '404 Not Found' : '401 Unauthorized';
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, identity));
    });
    this.watch = this.options.store.watch(await this.options.store.revision(), (batch) => this.pushChanges(batch));
    this.checker = setInterval(() => void this.checkHeartbeats(), this.checkEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.checker);
    clearTimeout(this.planTimer);
    this.watch?.close();
    for (const s of this.sessions.values()) s.socket.close(1001, 'manager stopping');
    this.wss.close();
    await this.statusWriter.stop();
    await this.ingressReports.settled();
  }

  connectedNodes(): string[] {
    return [...this.sessions.keys()];
  }

  private accept(ws: WebSocket, req: IncomingMessage, identity: PeerIdentity): void {
    const address = req.socket.remoteAddress ?? '';
    let nodeId: string | undefined;
    ws.on('message', (data: Buffer) => {
      const msg = parseAgentMessage(data.toString('utf8'));
      if (!msg) {
        this.send(ws, { type: 'error', code: 'invalid_argument', message: 'malformed message' });
        return;
      }
      // The session counts from when hello registered it: the agent may answer the plan and
      // assignments hello sends before hello has finished.
      nodeId ??= this.sessions.get(identity.nodeId)?.socket === ws ? identity.nodeId : undefined;
      if (nodeId) this.heartbeats.seen(nodeId, Date.now());
      if (msg.type === 'hello') {
        if (nodeId) return;
        void this.hello(ws, msg, address, identity).then(
          (id) => (nodeId = id),
          (err: unknown) => {
            this.options.logger.error({ err }, 'agent hello failed');
            ws.close(1011, 'hello failed');
          },
        );
        return;
      }
      if (!nodeId) {
        this.send(ws, { type: 'error', code: 'unauthenticated', message: 'send hello first' });
        return;
      }
      this.handle(nodeId, msg);
    });
    ws.on('close', () => {
      if (nodeId && this.sessions.get(nodeId)?.socket === ws) this.sessions.delete(nodeId);
    });
    ws.on('error', () => ws.terminate());
  }

  private async hello(ws: WebSocket, msg: Extract<AgentMessage, { type: 'hello' }>, address: string, identity: PeerIdentity): Promise<string | undefined> {
    const { store, logger } = this.options;
    const now = new Date().toISOString();
    const id = identity.nodeId;
    const existing = await store.get<NodeObject>('node', id);
    const node: NodeObject = {
      id,
      env: existing?.env ?? 'default',
      version: existing?.version ?? 0,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      hostname: msg.hostname,
      role: identity.role,
      availability: existing?.availability ?? 'active',
      labels: existing?.labels ?? {},
      // An agent running the ingress reports what it serves once it has applied the plan sent below.
      status: { state: 'ready', message: 'agent connected', address, timestamp: now, ...(msg.networking === true ? { ingress: { ports: [], errors: [] } } : {}) },
      resources: msg.resources,
      engine: msg.engine,
      certificate: { serial: identity.serial, notAfter: identity.notAfter },
    };
    await store.commit([{ op: 'put', kind: 'node', value: node }], { actor: `node:${id}` });
    this.statusWriter.enqueue(id, msg.tasks);
    await this.statusWriter.flush();
    this.sessions.get(id)?.socket.close(4409, 'replaced by a newer session');
    this.sessions.set(id, { nodeId: id, socket: ws, networking: msg.networking === true });
    this.heartbeats.seen(id, Date.now());
    this.send(ws, { type: 'welcome', nodeId: id, heartbeatPeriodMs: this.periodMs });
    // The plan first: the agent creates a task's container only once it knows its networks.
    this.sentPlans.delete(id);
    if (msg.networking === true) await this.sendPlans([id]);
    const tasks = await store.list<TaskObject>('task', { where: { nodeId: id } });
    this.send(ws, { type: 'assignments', full: true, tasks, removed: [], ...(await this.filesFor(tasks)), ...(await this.hostPathsFor(node.env)) });
    logger.info({ nodeId: id, hostname: msg.hostname, address }, 'agent session started');
    return id;
  }

  private handle(nodeId: string, msg: AgentMessage): void {
    switch (msg.type) {
      case 'status':
        this.statusWriter.enqueue(nodeId, msg.updates);
        break;
      case 'ingress':
        this.ingressReports.record(nodeId, msg);
        break;
      case 'logs.chunk':
        this.logRequests.get(msg.requestId)?.emit(msg.lines);
        break;
      case 'logs.end':
        this.logRequests.get(msg.requestId)?.done(msg.error);
        break;
      default:
        break;
    }
  }

  /** Sends each node the tasks that were assigned to it, changed desired state, or went away. */
  private pushChanges(batch: ChangeBatch): void {
    const perNode = new Map<string, { tasks: TaskObject[]; removed: string[] }>();
    const entry = (nodeId: string) => {
      let e = perNode.get(nodeId);
      if (!e) perNode.set(nodeId, (e = { tasks: [], removed: [] }));
      return e;
    };
    const plans = this.options.networkPlans;
    if (plans && batch.changes.some((c) => plans.affectedBy(c))) this.schedulePlans();
    for (const c of batch.changes) {
      if (c.kind === 'node' && c.type === 'delete') this.dropRemovedNode(c.id);
      if (c.kind !== 'task') continue;
      const value = c.value as TaskObject | undefined;
      const prev = c.prev as TaskObject | undefined;
      if (prev?.nodeId && prev.nodeId !== value?.nodeId) entry(prev.nodeId).removed.push(prev.id);
      if (!value?.nodeId) continue;
      const assignmentChanged = !prev || prev.nodeId !== value.nodeId || prev.desiredState !== value.desiredState || prev.specVersion !== value.specVersion;
      if (assignmentChanged) entry(value.nodeId).tasks.push(value);
    }
    if (perNode.size === 0) return;
    this.pushQueue = this.pushQueue.then(async () => {
      for (const [nodeId, e] of perNode) {
        if (!this.sessions.has(nodeId)) continue;
        const files = await this.filesFor(e.tasks).catch((err: unknown) => {
          // The tasks still go out: without their files the agent fails them, and they are retried.
          this.options.logger.error({ err, nodeId }, 'reading secret and config content for an assignment failed');
          return {};
        });
        const env = e.tasks[0]?.env;
        const hostPaths = env === undefined ? {} : await this.hostPathsFor(env).catch((err: unknown) => {
          this.options.logger.error({ err, nodeId }, 'reading the allowed host paths for an assignment failed');
          return {};
        });
        const session = this.sessions.get(nodeId);
        if (session) this.send(session.socket, { type: 'assignments', full: false, tasks: e.tasks, removed: e.removed, ...files, ...hostPaths });
      }
    });
  }

  /** Changes come in bursts (a task moves through several states in a second): plan once per burst. */
  private schedulePlans(delayMs = this.options.networkPlanDelayMs ?? 50): void {
    if (!this.options.networkPlans || this.planTimer) return;
    this.planTimer = setTimeout(() => {
      this.planTimer = undefined;
      this.planning = this.planning.then(() => this.sendPlans([...this.sessions.values()].filter((s) => s.networking).map((s) => s.nodeId)));
    }, delayMs);
  }

  private async sendPlans(nodeIds: string[]): Promise<void> {
    const source = this.options.networkPlans;
    if (!source || nodeIds.length === 0) return;
    try {
      const plans = await source.plansFor(nodeIds);
      for (const [nodeId, plan] of plans) {
        const text = JSON.stringify(plan);
        const session = this.sessions.get(nodeId);
        if (!session || this.sentPlans.get(nodeId) === text) continue;
        this.sentPlans.set(nodeId, text);
        this.send(session.socket, { type: 'network', plan });
      }
    } catch (err) {
      // Typically a conflict with another manager's allocation: the next change plans again.
      this.options.logger.warn({ err }, 'could not make the network plans');
      this.schedulePlans(1000);
    }
  }

  /** The `files` field for an assignment of these tasks: the content their secrets and configs pin. Never logged. */
  private async filesFor(tasks: TaskObject[]): Promise<{ files?: TaskFilePayload[] }> {
    if (!this.options.files) return {};
    const files = await filesForTasks(tasks, this.options.files);
    return files.length > 0 ? { files } : {};
  }

  /**
   * The allowed host paths of the node's environment as they are now, with every assignment of
   * tasks: the agent confines binds under them to what they resolve to (bind-confinement.ts), so
   * it must know each path the manager allowed a task's bind by.
   */
  private async hostPathsFor(env: string): Promise<{ hostPaths: string[] }> {
    const environment = await this.options.store.get<EnvironmentObject>('environment', env);
    return { hostPaths: environment?.allowedHostPaths ?? [] };
  }

  /** A removed node loses its session at once; its certificate is refused from now on. */
  private dropRemovedNode(nodeId: string): void {
    const session = this.sessions.get(nodeId);
    this.sentPlans.delete(nodeId);
    this.sessions.delete(nodeId);
    this.heartbeats.forget(nodeId);
    if (session) {
      this.send(session.socket, { type: 'error', code: 'permission_denied', message: 'this node was removed from the cluster' });
      session.socket.close(4403, 'node removed');
    }
  }

  private async checkHeartbeats(): Promise<void> {
    const now = Date.now();
    // Before anything else yields: how late this check itself runs says whether we were stalled.
    this.heartbeats.tick(now);
    try {
      const nodes = await this.options.store.list<NodeObject>('node');
      const late = nodes.filter((n) => n.status.state === 'ready' && this.heartbeats.isLate(n.id, now));
      if (late.length === 0) return;
      const time = new Date(now).toISOString();
      await this.options.store.commit(
        late.map((n) => ({
          op: 'put' as const,
          kind: 'node' as const,
          expectVersion: n.version,
          value: { ...n, updatedAt: time, status: { ...n.status, state: 'down' as const, message: `no heartbeat for ${Math.round(this.heartbeats.silentMs(n.id, now) / 1000)} s`, timestamp: time } },
        })),
        { actor: 'dispatcher' },
      );
      for (const n of late) {
        this.options.logger.warn({ nodeId: n.id, hostname: n.hostname }, 'node marked down: heartbeats stopped');
        this.sessions.get(n.id)?.socket.terminate();
      }
    } catch (err) {
      // A conflict means the node changed meanwhile; the next check looks again.
      this.options.logger.debug({ err }, 'heartbeat check deferred');
    }
  }

  stream(tasks: TaskObject[], options: { follow: boolean; tail?: number }, emit: (line: TaskLogLine) => void, signal: AbortSignal): Promise<void> {
    const streams = tasks
      .filter((t) => t.nodeId && t.status.containerId)
      .map((task) => new Promise<void>((resolve) => {
        const session = this.sessions.get(task.nodeId ?? '');
        if (!session) {
          resolve();
          return;
        }
        const requestId = newId(16);
        const finish = () => {
          this.logRequests.delete(requestId);
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.send(session.socket, { type: 'logs.cancel', requestId });
          finish();
        };
        signal.addEventListener('abort', onAbort);
        this.logRequests.set(requestId, {
          emit: (lines) => {
            for (const l of lines) emit({ task: taskName(task), taskId: task.id, ...(task.slot !== undefined ? { slot: task.slot } : {}), nodeId: task.nodeId ?? '', ...l });
          },
          done: () => finish(),
        });
        this.send(session.socket, { type: 'logs.request', requestId, taskId: task.id, follow: options.follow, ...(options.tail !== undefined ? { tail: options.tail } : {}) });
      }));
    return Promise.all(streams).then(() => undefined);
  }

  private send(ws: WebSocket, msg: ManagerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }
}
