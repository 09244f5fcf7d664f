import { readFile, stat } from 'node:fs/promises';
import type { EngineDescription, LogLine } from '../../../api/agent-protocol.js';
import { taskName, type NodeResources, type TaskObject } from '../../../api/objects.js';
import type { HealthcheckSpec } from '../../../api/service-spec.js';
import { newId } from '../../../lib/ids.js';
import { commandLine } from '../../exec/command-line.js';
import {
  ExecutorError,
  NetworkConflictError,
  shoalLabels,
  type ContainerHealth,
  type ContainerNetworking,
  type EngineNetworkSpec,
  type Executor,
  type ExitResult,
  type HealthListener,
  type LogOptions,
  type NetworkOwner,
  type NetworkSyncResult,
  type ObservedContainer,
  type TaskFileMount,
  type WaitOptions,
} from '../../exec/executor.js';
import { planNetworkSync, type EngineNetwork } from '../../exec/network-sync-plan.js';

/**
 * An in-memory Executor for unit tests and benchmarks with hundreds of simulated nodes.
 * The image name drives behaviour:
 *   contains "missing" → prepare rejects ("No such image: …")
 *   contains "crash"   → exits 3 a few ms after start
 *   contains "exit0"   → exits 0 a few ms after start
 *   contains "stubborn"→ ignores every stop signal but SIGKILL (shutdown waits the grace period)
 *   anything else      → runs until shut down
 * A health check (spec.healthcheck, not ["NONE"]) is simulated without running anything: the
 * container is `starting` at start; a check whose command contains "exit 1" or the word
 * "false" fails, any other passes. It turns `healthy` one interval after start, or `unhealthy`
 * after `retries` intervals (start period ignored); then it stays so (or use `setHealth`).
 * A started container gets a made-up address on network `bridge`: 172.17.0.2, .3, … in start
 * order within this executor, as Docker's default bridge hands them out (wrapping after 65,533).
 * Secret and config files are "mounted" by reading them from the node when asked (`fileAt`).
 * A running container holds no timer: only exits and health that must happen on their own
 * schedule hold one, until they happened.
 */
export interface FakeExecutorOptions {
  hostname?: string;
  resources?: NodeResources;
  /** Added to prepare and start, to model a slow engine; 0 (default) adds no timer at all. */
  latencyMs?: number;
  /** How long after start "crash"/"exit0" images exit. */
  exitAfterMs?: number;
}

interface FakeContainer {
  id: string;
  taskId: string;
  nodeId: string;
  name: string;
  image: string;
  running: boolean;
  exit?: ExitResult;
  startedAt?: string;
  finishedAt?: string;
  logs: LogLine[];
  /** Called on every change (new log line, exit): waiters and log followers. */
  listeners: Set<() => void>;
  healthcheck?: HealthcheckSpec;
  health?: ContainerHealth;
  healthTimer?: NodeJS.Timeout;
  files: TaskFileMount[];
  /** Set at start (see the class comment). */
  ip?: string;
  /** The network the made-up address is on: the primary one it was given, else `bridge`. */
  network: string;
  /** Every network it was given. */
  networks: string[];
  /** What the container would run, as the Docker executor would give it to the engine. */
  commandLine: { entrypoint?: string[]; cmd?: string[] };
}

/** What a container sees of a mounted file: always read-only. */
export interface FakeMountedFile {
  data: Buffer;
  mode: number;
  uid: number;
  gid: number;
  readOnly: true;
}

/** The fake's stand-in for running a check: see the class comment. */
function fakeCheckPasses(test: string[]): boolean {
  const command = test.slice(1).join(' ');
  return !/exit 1\b|\bfalse\b/.test(command);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeExecutor implements Executor {
  private readonly containers = new Map<string, FakeContainer>();
  private readonly byName = new Map<string, string>();
  private readonly healthListeners = new Set<HealthListener>();
  private readonly options: Required<FakeExecutorOptions>;
  /** Containers started so far: the next one's address (see the class comment). */
  private started = 0;
  /** Counts of calls, for tests that check the agent did (or did not) act. */
  readonly calls = { prepare: 0, start: 0, shutdown: 0, remove: 0 };

  constructor(options: FakeExecutorOptions = {}) {
    this.options = {
      hostname: options.hostname ?? 'fake-node',
      resources: options.resources ?? { nanoCpus: 4e9, memoryBytes: 8 * 2 ** 30 },
      latencyMs: options.latencyMs ?? 0,
      exitAfterMs: options.exitAfterMs ?? 5,
    };
  }

  describe(): Promise<{ hostname: string; resources: NodeResources; engine: EngineDescription }> {
    return Promise.resolve({
      hostname: this.options.hostname,
      resources: this.options.resources,
      engine: { version: 'fake', os: 'linux', arch: 'x86_64' },
    });
  }

  list(): Promise<ObservedContainer[]> {
    return Promise.resolve([...this.containers.values()].map(observe));
  }

  /** Each node's networks as the last `syncNetworks` left them. */
  readonly networks = new Map<string, EngineNetworkSpec[]>();
  /** The engine's networks by id: the ones `syncNetworks` made and the ones tests add. */
  private readonly engineNetworks = new Map<string, EngineNetwork>();

  /** Test hook: a network made in the engine by someone else (another cluster, another program). */
  addEngineNetwork(name: string, subnet: string, labels: Record<string, string> = {}): void {
    if ([...this.engineNetworks.values()].some((n) => n.name === name)) throw new Error(`network with name ${name} already exists`);
    const id = newId();
    this.engineNetworks.set(id, { id, name, subnets: [subnet], labels: { ...labels } });
  }

  /** Test hook: the engine's networks (name, range, labels). */
  engineNetworkList(): { name: string; subnet: string; labels: Record<string, string> }[] {
    return [...this.engineNetworks.values()].map((n) => ({ name: n.name, subnet: n.subnets[0] ?? '', labels: { ...n.labels } }));
  }

  /** Test hook: removes a network by name, as `docker network rm` would (refused while in use). */
  removeEngineNetwork(name: string): void {
    for (const n of this.engineNetworks.values()) {
      if (n.name !== name) continue;
      if (this.attached(name).length > 0) throw new Error(`error while removing network: network ${name} has active endpoints`);
      this.engineNetworks.delete(n.id);
    }
  }

  syncNetworks(wanted: EngineNetworkSpec[], owner: NetworkOwner): Promise<NetworkSyncResult> {
    const engine = [...this.engineNetworks.values()].map((n) => ({ ...n, containers: this.attached(n.name) }));
    const plan = planNetworkSync(wanted, engine, owner, {});
    // As the engine does: a network a running container is on is not removed.
    for (const n of [...plan.removeOwn, ...plan.removeLeftovers]) if (this.attached(n.name).length === 0) this.engineNetworks.delete(n.id);
    for (const w of plan.create) {
      const id = newId();
      this.engineNetworks.set(id, { id, name: w.name, subnets: [w.subnet], bridge: w.bridge, labels: { [shoalLabels.node]: owner.nodeId, [shoalLabels.cluster]: owner.clusterId, [shoalLabels.network]: w.networkId } });
    }
    const conflicted = new Set(plan.conflicts.map((c) => c.name));
    this.networks.set(owner.nodeId, wanted.filter((w) => !conflicted.has(w.name)));
    if (plan.conflicts.length > 0) return Promise.reject(new NetworkConflictError(plan.conflicts));
    return Promise.resolve({ leftoversRemoved: plan.removeLeftovers.map((n) => `${n.name} (${n.subnets.join(', ')})`) });
  }

  /** Names of the running containers joined to the network. */
  private attached(network: string): string[] {
    return [...this.containers.values()].filter((c) => c.running && c.networks.includes(network)).map((c) => c.name);
  }

  async prepare(task: TaskObject, nodeId: string, files: TaskFileMount[] = [], networking?: ContainerNetworking): Promise<string> {
    this.calls.prepare++;
    await this.delay();
    const image = task.spec.image;
    if (image.includes('missing')) throw new ExecutorError('rejected', `No such image: ${image}`);
    for (const f of files) {
      // As the engine refuses a bind mount whose source does not exist.
      if (!(await stat(f.hostPath).then((st) => st.isFile(), () => false))) {
        throw new ExecutorError('rejected', `invalid mount config for type "bind": bind source path does not exist: ${f.hostPath}`);
      }
    }
    const name = taskName(task);
    const existing = this.byName.get(name);
    if (existing !== undefined) {
      const c = this.containers.get(existing);
      if (c?.taskId === task.id) return c.id;
      throw new ExecutorError('rejected', `Conflict. The container name "/${name}" is already in use`);
    }
    const c: FakeContainer = { id: newId(32), taskId: task.id, nodeId, name, image, running: false, logs: [], listeners: new Set(), files, commandLine: commandLine(task.spec), network: networking?.networks[0]?.name ?? 'bridge', networks: networking?.networks.map((n) => n.name) ?? [] };
    const check = task.spec.healthcheck;
    if (check && check.test[0] !== 'NONE') c.healthcheck = check;
    this.containers.set(c.id, c);
    this.byName.set(name, c.id);
    return c.id;
  }

  async start(containerId: string): Promise<void> {
    this.calls.start++;
    await this.delay();
    const c = this.get(containerId);
    if (c.running || c.exit) return;
    c.running = true;
    c.startedAt = new Date().toISOString();
    c.ip = fakeBridgeAddress(this.started++);
    this.log(c, 'stdout', `started ${c.image}`);
    if (c.image.includes('crash')) this.exitLater(c, 3, 'crashing');
    else if (c.image.includes('exit0')) this.exitLater(c, 0, 'done');
    if (c.healthcheck) this.simulateHealth(c, c.healthcheck);
  }

  watchHealth(listener: HealthListener, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.healthListeners.add(listener);
    signal.addEventListener('abort', () => this.healthListeners.delete(listener), { once: true });
    for (const c of this.containers.values()) if (c.health) listener(c.id, c.health);
  }

  /** Test hook: the container's health changes as if its check said so. */
  setHealth(containerId: string, health: ContainerHealth): void {
    const c = this.get(containerId);
    clearTimeout(c.healthTimer);
    this.changeHealth(c, health);
  }

  /** Test hook: the entrypoint and command the container was created with. */
  commandLineOf(containerId: string): { entrypoint?: string[]; cmd?: string[] } {
    return this.get(containerId).commandLine;
  }

  /** Test hook: what the container would read at `target` (a mounted secret or config file). */
  async fileAt(containerId: string, target: string): Promise<FakeMountedFile | undefined> {
    const f = this.get(containerId).files.find((m) => m.target === target);
    if (!f) return undefined;
    const st = await stat(f.hostPath);
    return { data: await readFile(f.hostPath), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, readOnly: true };
  }

  wait(containerId: string, options: WaitOptions = {}): Promise<ExitResult> {
    const c = this.containers.get(containerId);
    if (!c) return Promise.reject(new ExecutorError('failed', `No such container: ${containerId}`));
    if (c.exit) return Promise.resolve(c.exit);
    const { signal } = options;
    return new Promise<ExitResult>((resolve, reject) => {
      const onAbort = (): void => {
        c.listeners.delete(check);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('wait aborted'));
      };
      const check = (): void => {
        if (!c.exit) return;
        c.listeners.delete(check);
        signal?.removeEventListener('abort', onAbort);
        resolve(c.exit);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      c.listeners.add(check);
    });
  }

  inspect(containerId: string): Promise<ObservedContainer | undefined> {
    const c = this.containers.get(containerId);
    return Promise.resolve(c ? observe(c) : undefined);
  }

  async shutdown(containerId: string, stopSignal: string | undefined, graceMs: number): Promise<void> {
    this.calls.shutdown++;
    const c = this.containers.get(containerId);
    if (!c?.running) return;
    const kill = stopSignal === 'SIGKILL' || stopSignal === 'KILL' || stopSignal === '9';
    if (!kill && c.image.includes('stubborn')) {
      await sleep(graceMs);
      if (c.running) this.exit(c, 137);
      return;
    }
    this.exit(c, kill ? 137 : 143);
  }

  remove(containerId: string): Promise<void> {
    this.calls.remove++;
    const c = this.containers.get(containerId);
    if (c) {
      if (c.running) this.exit(c, 137);
      this.containers.delete(containerId);
      this.byName.delete(c.name);
    }
    return Promise.resolve();
  }

  async *logs(containerId: string, options: LogOptions): AsyncIterable<LogLine> {
    const c = this.get(containerId);
    const { signal } = options;
    let next = options.tail !== undefined ? Math.max(0, c.logs.length - options.tail) : 0;
    for (;;) {
      while (next < c.logs.length) {
        if (signal?.aborted) return;
        const line = c.logs[next++];
        if (line) yield line;
      }
      if (!options.follow || c.exit || signal?.aborted || !this.containers.has(c.id)) return;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          c.listeners.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        c.listeners.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Test hook: appends a log line as if the container printed it. */
  print(containerId: string, text: string, stream: LogLine['stream'] = 'stdout'): void {
    this.log(this.get(containerId), stream, text);
  }

  /** Test hook: the container exits on its own with this code. */
  crash(containerId: string, exitCode: number): void {
    const c = this.get(containerId);
    if (c.running) this.exit(c, exitCode);
  }

  private get(containerId: string): FakeContainer {
    const c = this.containers.get(containerId);
    if (!c) throw new ExecutorError('failed', `No such container: ${containerId}`);
    return c;
  }

  private exitLater(c: FakeContainer, code: number, text: string): void {
    setTimeout(() => {
      if (!c.running) return;
      this.log(c, code === 0 ? 'stdout' : 'stderr', text);
      this.exit(c, code);
    }, this.options.exitAfterMs);
  }

  private simulateHealth(c: FakeContainer, check: HealthcheckSpec): void {
    this.changeHealth(c, 'starting');
    const passes = fakeCheckPasses(check.test);
    const interval = Math.max(1, check.intervalMs);
    const after = passes ? interval : interval * Math.max(1, check.retries);
    c.healthTimer = setTimeout(() => {
      if (c.running) this.changeHealth(c, passes ? 'healthy' : 'unhealthy');
    }, after);
  }

  private changeHealth(c: FakeContainer, health: ContainerHealth): void {
    if (c.health === health) return;
    c.health = health;
    for (const listener of [...this.healthListeners]) listener(c.id, health);
  }

  private exit(c: FakeContainer, exitCode: number): void {
    clearTimeout(c.healthTimer);
    c.running = false;
    c.exit = { exitCode };
    c.finishedAt = new Date().toISOString();
    this.notify(c);
  }

  private log(c: FakeContainer, stream: LogLine['stream'], text: string): void {
    c.logs.push({ stream, time: new Date().toISOString(), text });
    this.notify(c);
  }

  private notify(c: FakeContainer): void {
    for (const listener of [...c.listeners]) listener();
  }

  private async delay(): Promise<void> {
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs);
  }
}

function observe(c: FakeContainer): ObservedContainer {
  const o: ObservedContainer = { containerId: c.id, taskId: c.taskId, nodeId: c.nodeId, running: c.running };
  if (c.exit) o.exitCode = c.exit.exitCode;
  if (c.startedAt) o.startedAt = c.startedAt;
  if (c.finishedAt) o.finishedAt = c.finishedAt;
  if (c.health) o.health = c.health;
  if (c.running && c.ip) o.addresses = [{ network: c.network, ip: c.ip }];
  return o;
}

/** The n-th address (from 0) of the fake's bridge, 172.17.0.0/16 from 172.17.0.2 on. */
export function fakeBridgeAddress(n: number): string {
  const host = (n % 65_533) + 2;
  return `172.17.${host >> 8}.${host & 255}`;
}
