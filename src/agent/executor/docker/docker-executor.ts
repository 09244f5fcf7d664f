import type { Readable } from 'node:stream';
import Dockerode from 'dockerode';
import type { EngineDescription, LogLine } from '../../../api/agent-protocol.js';
import type { NodeResources, TaskAddress, TaskObject } from '../../../api/objects.js';
import {
  ExecutorError,
  shoalLabels,
  type ContainerHealth,
  type ContainerNetworking,
  type EngineNetworkSpec,
  type Executor,
  type ExitResult,
  type HealthListener,
  type LogOptions,
  NetworkConflictError,
  type NetworkOwner,
  type NetworkSyncResult,
  type ObservedContainer,
  type TaskFileMount,
  type WaitOptions,
} from '../../exec/executor.js';
import { blockers, isOwnNetwork, isShoalNetwork, planNetworkSync, type EngineNetwork } from '../../exec/network-sync-plan.js';
import { containerConfig, normalizeSignal } from './container-config.js';
import { engineMessage, engineStatus, isAlreadyThere, isNotFound } from './docker-errors.js';
import { watchHealthEvents } from './health-events.js';
import { LogDemuxer } from './log-demux.js';

export interface DockerExecutorOptions {
  /**
   * Labels put on every container this executor creates and required of every container it
   * lists. Several agents (or test runs) sharing one engine then never see, adopt or remove
   * each other's containers.
   */
  scopeLabels?: Record<string, string>;
}

interface EngineInfo {
  Name?: string;
  NCPU?: number;
  MemTotal?: number;
  ServerVersion?: string;
  OSType?: string;
  Architecture?: string;
}

interface WaitResponse {
  StatusCode?: number;
  Error?: { Message?: string } | null;
}

const zeroTime = '0001-01-01T00:00:00Z';
const engineTime = (t: string | undefined): string | undefined => (t && t !== zeroTime ? t : undefined);

/** The Executor for a Docker Engine (API 1.41+), one instance per engine. */
export class DockerExecutor implements Executor {
  readonly docker: Dockerode;
  private readonly scope: Record<string, string>;

  /**
   * `engine`: a dockerode instance, the path of the engine's unix socket, or dockerode's
   * connection options (`{}` means the default socket or DOCKER_HOST).
   */
  constructor(engine: Dockerode | string | Dockerode.DockerOptions = {}, options: DockerExecutorOptions = {}) {
    if (engine instanceof Dockerode) this.docker = engine;
    else this.docker = new Dockerode(typeof engine === 'string' ? { socketPath: engine } : engine);
    this.scope = options.scopeLabels ?? {};
  }

  async describe(): Promise<{ hostname: string; resources: NodeResources; engine: EngineDescription }> {
    const info = (await this.docker.info()) as EngineInfo;
    return {
      hostname: info.Name ?? 'unknown',
      resources: { nanoCpus: (info.NCPU ?? 0) * 1e9, memoryBytes: info.MemTotal ?? 0 },
      engine: { version: info.ServerVersion ?? 'unknown', os: info.OSType ?? 'unknown', arch: info.Architecture ?? 'unknown' },
    };
  }

  async list(): Promise<ObservedContainer[]> {
    const found = await this.docker.listContainers({ all: true, filters: { label: this.labelFilter() } });
    const observed = await Promise.all(found.map((c) => this.inspect(c.Id)));
    return observed.filter((o): o is ObservedContainer => o !== undefined);
  }

  async prepare(task: TaskObject, nodeId: string, files: TaskFileMount[] = [], networking?: ContainerNetworking): Promise<string> {
    const config = containerConfig(task, nodeId, this.scope, files, networking);
    const id = await this.createPulling(config, task);
    try {
      for (const extra of networking?.networks.slice(1) ?? []) {
        await this.docker.getNetwork(extra.name).connect({ Container: id, EndpointConfig: { Aliases: extra.aliases } });
      }
    } catch (err) {
      await this.remove(id).catch(() => undefined);
      throw new ExecutorError('failed', `could not join the container to its networks: ${engineMessage(err)}`);
    }
    return id;
  }

  async syncNetworks(wanted: EngineNetworkSpec[], owner: NetworkOwner): Promise<NetworkSyncResult> {
    const engine = (await this.docker.listNetworks()).map(engineNetwork);
    // Only the Shoal networks in the way need their containers looked up.
    const others = engine.filter((n) => !isOwnNetwork(n, owner, this.scope));
    for (const n of new Set(wanted.flatMap((w) => blockers(w, others)))) {
      if (isShoalNetwork(n, this.scope)) n.containers = await this.attachedContainers(n.id);
    }
    const plan = planNetworkSync(wanted, engine, owner, this.scope);
    // Unwanted, on a range the manager no longer gives this node, or a leftover in the way:
    // removed once empty (a container may have joined since it was looked at).
    await Promise.all([...plan.removeOwn, ...plan.removeLeftovers].map((n) => this.removeNetworkIfUnused(n.id)));
    for (const w of plan.create) {
      try {
        await this.docker.createNetwork({
          Name: w.name,
          Driver: 'bridge',
          CheckDuplicate: true,
          IPAM: { Driver: 'default', Config: [{ Subnet: w.subnet, Gateway: w.gateway }] },
          Options: {
            'com.docker.network.bridge.name': w.bridge,
            // The agent masquerades traffic leaving the cluster itself: traffic to other nodes'
            // containers must keep its source address (isolation and the resolver rely on it).
            'com.docker.network.bridge.enable_ip_masquerade': 'false',
          },
          Labels: { ...this.scope, [shoalLabels.node]: owner.nodeId, [shoalLabels.cluster]: owner.clusterId, [shoalLabels.network]: w.networkId },
        });
      } catch (err) {
        if (isAlreadyThere(err)) continue;
        const text = engineMessage(err);
        // A network made between the look and the create: said in the engine's words, with the way out.
        const hint = /overlap/i.test(text) ? ' (another network holds this range: see docker network ls; a new cluster can take another block with --cluster-cidr)' : '';
        throw new ExecutorError('failed', `could not create network ${w.name} (${w.subnet}): ${text}${hint}`);
      }
    }
    if (plan.conflicts.length > 0) throw new NetworkConflictError(plan.conflicts);
    return { leftoversRemoved: plan.removeLeftovers.map((n) => `${n.name} (${n.subnets.join(', ')})`) };
  }

  private async attachedContainers(networkId: string): Promise<string[]> {
    try {
      const info = (await this.docker.getNetwork(networkId).inspect()) as { Containers?: Record<string, { Name?: string }> };
      return Object.entries(info.Containers ?? {}).map(([id, c]) => c.Name ?? id.slice(0, 12));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }

  private async removeNetworkIfUnused(networkId: string): Promise<void> {
    try {
      await (this.docker.getNetwork(networkId).remove() as Promise<unknown>);
    } catch (err) {
      if (!isNotFound(err) && !/active endpoints/i.test(engineMessage(err))) throw err;
    }
  }

  private async createPulling(config: Dockerode.ContainerCreateOptions, task: TaskObject): Promise<string> {
    try {
      return await this.create(config, task.id);
    } catch (err) {
      if (!(isNotFound(err) && /no such image/i.test(engineMessage(err)))) throw createError(err);
    }
    // Not here: a registry may have it (the engine's own configuration decides where it pulls from).
    try {
      await this.pull(task.spec.image);
    } catch (err) {
      throw new ExecutorError('rejected', `No such image: ${withTag(task.spec.image)} (pull failed: ${engineMessage(err)})`);
    }
    try {
      return await this.create(config, task.id);
    } catch (err) {
      throw createError(err);
    }
  }

  async start(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).start();
    } catch (err) {
      if (engineStatus(err) === 304) return;
      throw new ExecutorError('failed', engineMessage(err));
    }
  }

  async wait(containerId: string, options: WaitOptions = {}): Promise<ExitResult> {
    let res: WaitResponse;
    try {
      res = await this.waitRequest(containerId, options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ExecutorError('failed', engineMessage(err));
    }
    const result: ExitResult = { exitCode: res.StatusCode ?? -1 };
    if (res.Error?.Message) result.error = res.Error.Message;
    return result;
  }

  async inspect(containerId: string): Promise<ObservedContainer | undefined> {
    const info = await this.inspectRaw(containerId);
    if (!info) return undefined;
    const observed: ObservedContainer = {
      containerId: info.Id,
      taskId: info.Config.Labels?.[shoalLabels.taskId] ?? '',
      running: info.State.Running,
    };
    const nodeId = info.Config.Labels?.[shoalLabels.node];
    if (nodeId) observed.nodeId = nodeId;
    const startedAt = engineTime(info.State.StartedAt);
    const finishedAt = engineTime(info.State.FinishedAt);
    if (startedAt) observed.startedAt = startedAt;
    if (finishedAt) observed.finishedAt = finishedAt;
    if (!info.State.Running && startedAt) observed.exitCode = info.State.ExitCode;
    if (info.State.Error) observed.error = info.State.Error;
    const health = info.State.Health?.Status;
    if (health === 'starting' || health === 'healthy' || health === 'unhealthy') observed.health = health satisfies ContainerHealth;
    const addresses = info.State.Running ? containerAddresses(info) : [];
    if (addresses.length > 0) observed.addresses = addresses;
    return observed;
  }

  watchHealth(listener: HealthListener, signal: AbortSignal, onError: (err: unknown) => void = () => undefined): void {
    watchHealthEvents({ docker: this.docker, labels: this.labelFilter(), list: () => this.list(), onError }, listener, signal);
  }

  async shutdown(containerId: string, stopSignal: string | undefined, graceMs: number): Promise<void> {
    const info = await this.inspectRaw(containerId);
    if (!info?.State.Running) return;
    const signal = normalizeSignal(stopSignal ?? (info.Config as { StopSignal?: string }).StopSignal ?? 'SIGTERM');
    if (signal !== 'SIGKILL' && signal !== '9') {
      if (!(await this.kill(containerId, signal))) return;
      if (await this.exitsWithin(containerId, graceMs)) return;
    }
    if (!(await this.kill(containerId, 'SIGKILL'))) return;
    // SIGKILL cannot be ignored, but the engine reports the exit asynchronously.
    await this.exitsWithin(containerId, 10_000);
  }

  async remove(containerId: string): Promise<void> {
    try {
      // v: anonymous volumes die with their container; named volumes are kept.
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (err) {
      if (isNotFound(err) || isAlreadyThere(err)) return;
      throw new ExecutorError('failed', engineMessage(err));
    }
  }

  async *logs(containerId: string, options: LogOptions): AsyncIterable<LogLine> {
    const { signal } = options;
    if (signal?.aborted) return;
    const container = this.docker.getContainer(containerId);
    const base = { stdout: true, stderr: true, timestamps: true, ...(options.tail !== undefined ? { tail: options.tail } : {}) };
    const demux = new LogDemuxer();
    try {
      if (!options.follow) {
        const buf = await container.logs({ ...base, follow: false, ...(signal ? { abortSignal: signal } : {}) });
        yield* demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
      } else {
        const stream = await container.logs({ ...base, follow: true, ...(signal ? { abortSignal: signal } : {}) });
        for await (const chunk of stream as AsyncIterable<Buffer | string>) {
          yield* demux.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw new ExecutorError('failed', engineMessage(err));
    }
    yield* demux.flush();
  }

  /** Selects the containers of this executor: Shoal's, and of its scope. */
  private labelFilter(): string[] {
    return [shoalLabels.taskId, ...Object.entries(this.scope).map(([k, v]) => `${k}=${v}`)];
  }

  private async create(config: Dockerode.ContainerCreateOptions, taskId: string): Promise<string> {
    try {
      return (await this.docker.createContainer(config)).id;
    } catch (err) {
      // The name is taken: when by this task's own container (an agent restarted between
      // create and report), reuse it rather than failing the task.
      if (engineStatus(err) === 409 && config.name) {
        const existing = await this.inspectRaw(config.name);
        if (existing?.Config.Labels?.[shoalLabels.taskId] === taskId) return existing.Id;
      }
      throw err;
    }
  }

  private async pull(image: string): Promise<void> {
    const stream: NodeJS.ReadableStream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * `POST /containers/ID/wait`, read by hand. The engine sends the headers at once and the body
   * when the container exits; if the engine dies in between, the connection closes after the
   * headers. dockerode's own wait then never settles (docker-modem waits for an 'end' that never
   * comes, and Node emits no 'error' on a response nobody listens to), and the task would look
   * running forever; here that close fails the wait, so the runner looks at the container again.
   */
  private waitRequest(containerId: string, signal: AbortSignal | undefined): Promise<WaitResponse> {
    return new Promise((resolve, reject) => {
      const dial = {
        path: `/containers/${encodeURIComponent(containerId)}/wait?`,
        method: 'POST',
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
        options: {},
        ...(signal ? { abortSignal: signal } : {}),
      };
      this.docker.modem.dial(dial, (err, result) => {
        if (err) return reject(err);
        const body = result as Readable;
        const chunks: Buffer[] = [];
        let ended = false;
        body.on('data', (chunk: Buffer) => chunks.push(chunk));
        body.on('error', reject);
        body.on('end', () => {
          ended = true;
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WaitResponse);
          } catch {
            reject(new Error('the engine answered the wait with something that is not JSON'));
          }
        });
        body.on('close', () => {
          if (!ended) reject(new Error('the connection to the engine closed before the container exited'));
        });
      });
    });
  }

  private async inspectRaw(idOrName: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      return await this.docker.getContainer(idOrName).inspect();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new ExecutorError('failed', engineMessage(err));
    }
  }

  /** Sends a signal; false when the container is no longer running (nothing left to stop). */
  private async kill(containerId: string, signal: string): Promise<boolean> {
    try {
      await this.docker.getContainer(containerId).kill({ signal });
      return true;
    } catch (err) {
      if (isNotFound(err) || isAlreadyThere(err)) return false;
      throw new ExecutorError('failed', engineMessage(err));
    }
  }

  private async exitsWithin(containerId: string, ms: number): Promise<boolean> {
    const timeout = AbortSignal.timeout(Math.max(1, ms));
    try {
      await this.docker.getContainer(containerId).wait({ abortSignal: timeout });
      return true;
    } catch (err) {
      if (timeout.aborted) return false;
      if (isNotFound(err)) return true;
      throw new ExecutorError('failed', engineMessage(err));
    }
  }
}

/** Create fails for good (rejected) on a bad request or a missing image; otherwise it may pass later. */
function createError(err: unknown): ExecutorError {
  if (err instanceof ExecutorError) return err;
  const status = engineStatus(err);
  const kind = status === 400 || status === 404 || status === 409 ? 'rejected' : 'failed';
  return new ExecutorError(kind, engineMessage(err));
}

/**
 * The container's IPv4 on each network, sorted by network name. A network without an address
 * (e.g. `host`, `none`, or one the engine is still connecting) is left out.
 */
export function containerAddresses(info: Pick<Dockerode.ContainerInspectInfo, 'NetworkSettings'>): TaskAddress[] {
  const networks = (info.NetworkSettings as { Networks?: Record<string, { IPAddress?: string } | null> } | undefined)?.Networks ?? {};
  return Object.entries(networks)
    .flatMap(([network, settings]) => (settings?.IPAddress ? [{ network, ip: settings.IPAddress }] : []))
    .sort((a, b) => a.network.localeCompare(b.network));
}

function withTag(image: string): string {
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  return lastPart.includes(':') || lastPart.includes('@') ? image : `${image}:latest`;
}

function engineNetwork(n: Dockerode.NetworkInspectInfo): EngineNetwork {
  const bridge = n.Options?.['com.docker.network.bridge.name'];
  return {
    id: n.Id,
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet?.includes('.') ? [c.Subnet] : [])),
    labels: n.Labels ?? {},
    ...(bridge ? { bridge } : {}),
  };
}
