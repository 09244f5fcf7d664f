import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { NodeObject } from '../../../src/api/objects.js';
import type { ShoalClient } from '../../../src/client/shoal-client.js';
import { adminClient } from '../admin-client.js';
import { testClusterCidr } from '../free-ten-block.js';
import { waitFor } from '../wait.js';
import type { JoinTokens, ManagerEndpoints } from './endpoints.js';
import { agentJoinTarget, apiUrl, chooseEndpoints, managerListenArgs, parseJoinTokens } from './endpoints.js';
import { killEngine, loadImages, saveTestImages, startEngine } from './engine.js';
import { registerForExit, sweepOrphanedRuns, unregisterForExit } from './exit-cleanup.js';
import type { NodeNetwork } from './network.js';
import { createNodeNetwork, pickSubnets, setLink } from './network.js';
import { ensurePrerequisites } from './prerequisites.js';
import type { RunState } from './run-state.js';
import { newRunState, saveRunState } from './run-state.js';
import { ShoalProcess } from './shoal-process.js';
import { teardownRun } from './teardown.js';

export interface MultiHostOptions {
  /** Nodes in all (default 3). Node 0 runs on the host's engine unless hostAgent is false. */
  nodes?: number;
  /** One agent on the manager's host, using the host's Docker Engine, as node-0 (default true). */
  hostAgent?: boolean;
  heartbeatPeriod?: string;
  /** Nodes whose agents the test starts itself (e.g. with another environment's token). */
  deferAgents?: number[];
}

export interface ClusterNode {
  index: number;
  /** Hostname the agent reports: node-<index>. */
  name: string;
  nodeId: string;
  /** Undefined for the node on the host. */
  namespace: string | undefined;
  network: NodeNetwork | undefined;
  dockerSocket: string;
  docker: Docker;
  dataDir: string;
  /** The run's own engine of this node (undefined for the host's engine). */
  engine: string | undefined;
  agent: ShoalProcess | undefined;
  /** The join token the agent last started with (a restart uses it again). */
  token?: string;
}

export interface StartTimings {
  /** Engines started and test images loaded into them. */
  enginesMs: number;
  /** From the first agent start to every node ready. */
  agentsReadyMs: number;
  /** Per node: `shoal agent` start → node ready, for the first join. */
  joinMs: number[];
  totalMs: number;
}

const log = (msg: string): void => {
  process.stderr.write(`multi-host harness: ${msg}\n`);
};

/** A manager on the host and N agents, each (but the host's) with its own engine in its own namespace. */
export class MultiHostCluster {
  readonly nodes: ClusterNode[] = [];
  client!: ShoalClient;
  manager!: ShoalProcess;
  tokens!: JoinTokens;
  endpoints!: ManagerEndpoints;
  /** The manager's `--cluster-cidr`: a free /16 of the run's own. */
  clusterCidr = '';
  timings: StartTimings = { enginesMs: 0, agentsReadyMs: 0, joinMs: [], totalMs: 0 };
  heartbeatPeriod = '1s';
  private destroyed = false;

  constructor(readonly state: RunState) {}

  get runId(): string {
    return this.state.runId;
  }

  node(i: number): ClusterNode {
    const n = this.nodes[i];
    if (!n) throw new Error(`no node ${i} (cluster of ${this.nodes.length})`);
    return n;
  }

  /** SIGKILL of the agent: the engine and its containers keep running. Returns when it is gone. */
  async killAgent(i: number): Promise<number> {
    const n = this.node(i);
    const at = Date.now();
    await n.agent?.stop('SIGKILL');
    n.agent = undefined;
    return at;
  }

  /** Starts (or restarts, same data dir → same node id) the agent and waits for the node to be ready. Returns ms to ready. */
  /** `client`: one of the token's environment, which sees the node (default: the admin's in `default`). */
  async startAgent(i: number, token?: string, client: ShoalClient = this.client): Promise<number> {
    const n = this.node(i);
    if (n.agent?.running()) throw new Error(`the agent of ${n.name} is running`);
    n.token = token ?? n.token ?? this.tokens.worker;
    const address = n.network ? n.network.hostAddress : '127.0.0.1';
    const args = ['agent', '--join', agentJoinTarget(address, this.endpoints), '--token', n.token, '--data-dir', n.dataDir, '--docker-host', `unix://${n.dockerSocket}`, '--hostname', n.name];
    const agent = ShoalProcess.start(this.state, `agent ${n.name}`, args, join(this.state.dir, `agent-${n.name}.log`), n.namespace);
    n.agent = agent;
    const exited = agent.exited.then((code) => {
      throw new Error(`the agent of ${n.name} exited (${code}):\n${agent.log().slice(-3000)}`);
    });
    const ready = waitFor(`${n.name} to be ready`, async () => {
      const nodes = await client.listNodes();
      return nodes.find((x: NodeObject) => x.hostname === n.name && x.status.state === 'ready' && Date.parse(x.status.timestamp) >= agent.startedAt - 1000);
    }, 60_000, 50);
    exited.catch(() => undefined);
    const node = await Promise.race([ready, exited]);
    const ms = Date.now() - agent.startedAt;
    if (n.nodeId && n.nodeId !== node.id) throw new Error(`${n.name} came back as ${node.id}, not ${n.nodeId}`);
    n.nodeId = node.id;
    if (!n.namespace && !this.state.hostNodeIds.includes(node.id)) {
      this.state.hostNodeIds.push(node.id);
      saveRunState(this.state);
    }
    return ms;
  }

  /**
   * SIGKILL of the node's own dockerd (not the host's engine): its containers' shims outlive it,
   * as after an engine crash. Returns when the process is gone.
   */
  async killEngine(i: number): Promise<number> {
    const at = Date.now();
    await killEngine(this.state, this.engineOf(i));
    return at;
  }

  /**
   * Starts the node's dockerd again with the same data-root, exec-root, socket, namespace and
   * bridge; resolves when it answers. Returns ms from start to answering.
   */
  async restartEngine(i: number): Promise<number> {
    const t0 = Date.now();
    const net = this.networkOf(i);
    await startEngine(this.state, this.engineOf(i), net.namespace, net.bridgeCidr);
    return Date.now() - t0;
  }

  private engineOf(i: number): string {
    const engine = this.node(i).engine;
    if (!engine) throw new Error(`${this.node(i).name} uses the host's engine, which the harness never kills`);
    return engine;
  }

  /** SIGKILL of the manager process. Returns when it is gone. */
  async killManager(): Promise<number> {
    const at = Date.now();
    await this.manager.stop('SIGKILL');
    return at;
  }

  /**
   * Starts the manager again: same data dir, same ports, same flags (so the admin session and
   * the agents' certificates stay valid). Resolves when its API answers; returns ms to that.
   */
  async startManager(): Promise<number> {
    if (this.manager.running()) throw new Error('the manager is running');
    launchManager(this);
    const manager = this.manager;
    const exited = manager.exited.then((code): never => {
      throw new Error(`the restarted manager exited (${code}):\n${manager.log().slice(-3000)}`);
    });
    exited.catch(() => undefined);
    await Promise.race([waitFor('the restarted manager API', () => this.client.health().then(() => true), 60_000, 100), exited]);
    return Date.now() - manager.startedAt;
  }

  cutNetwork(i: number): void {
    setLink(this.networkOf(i).hostVeth, false);
  }

  restoreNetwork(i: number): void {
    setLink(this.networkOf(i).hostVeth, true);
  }

  private networkOf(i: number): NodeNetwork {
    const net = this.node(i).network;
    if (!net) throw new Error(`${this.node(i).name} runs on the host: it has no link to cut`);
    return net;
  }

  /** The manager's and agents' output, for failure messages. */
  logs(tail = 4000): string {
    const parts = [`--- manager (${this.manager.logFile})\n${this.manager.log().slice(-tail)}`];
    for (const n of this.nodes) parts.push(`--- agent ${n.name}\n${n.agent?.log().slice(-tail) ?? '(not running)'}`);
    return parts.join('\n');
  }

  /** Removes everything the run created; returns what could not be removed (empty when all went). */
  destroy(): Promise<string[]> {
    if (this.destroyed) return Promise.resolve([]);
    this.destroyed = true;
    const problems = teardownRun(this.state);
    unregisterForExit(this.state);
    if (problems.length > 0) log(`cleanup of run ${this.runId} left: ${problems.join('; ')}`);
    return Promise.resolve(problems);
  }
}

export async function startMultiHostCluster(options: MultiHostOptions = {}): Promise<MultiHostCluster> {
  const count = options.nodes ?? 3;
  const hostAgent = options.hostAgent ?? true;
  const t0 = Date.now();
  ensurePrerequisites();
  const swept = sweepOrphanedRuns();
  if (swept.length > 0) log(`removed leftovers of crashed runs ${swept.join(', ')}`);
  const state = newRunState(randomBytes(3).toString('hex'));
  mkdirSync(state.dir, { recursive: true });
  saveRunState(state);
  registerForExit(state);
  const cluster = new MultiHostCluster(state);
  try {
    await boot(cluster, count, hostAgent, options.heartbeatPeriod ?? '1s', new Set(options.deferAgents ?? []));
  } catch (err) {
    const logs = cluster.manager ? cluster.logs() : '';
    await cluster.destroy();
    throw new Error(`multi-host cluster did not start: ${(err as Error).message}\n${logs}`);
  }
  cluster.timings.totalMs = Date.now() - t0;
  log(`run ${state.runId}: ${count} nodes in ${cluster.timings.totalMs} ms (engines + images ${cluster.timings.enginesMs} ms, agents ready ${cluster.timings.agentsReadyMs} ms)`);
  return cluster;
}

/** `shoal manager` on the run's data dir and ports; `--init` creates the admin only on the first start. */
function launchManager(cluster: MultiHostCluster): void {
  const { state } = cluster;
  const args = ['manager', '--init', ...managerListenArgs(cluster.endpoints), '--data-dir', join(state.dir, 'manager'), '--heartbeat-period', cluster.heartbeatPeriod, '--cluster-cidr', cluster.clusterCidr];
  cluster.manager = ShoalProcess.start(state, 'manager', args, join(state.dir, 'manager.log'));
}

async function boot(cluster: MultiHostCluster, count: number, hostAgent: boolean, heartbeatPeriod: string, deferred: ReadonlySet<number>): Promise<void> {
  const { state } = cluster;
  const subnets = pickSubnets();
  cluster.clusterCidr = testClusterCidr(subnets.cluster);
  cluster.endpoints = await chooseEndpoints();
  mkdirSync(join(state.dir, 'manager'), { recursive: true });
  cluster.heartbeatPeriod = heartbeatPeriod;
  launchManager(cluster);

  const tEngines = Date.now();
  const images = saveTestImages(state);
  const started = [];
  for (let i = 0; i < count; i++) {
    const name = `node-${i}`;
    const dataDir = join(state.dir, name, 'agent');
    mkdirSync(dataDir, { recursive: true });
    if (i === 0 && hostAgent) {
      const socket = '/var/run/docker.sock';
      cluster.nodes.push({ index: i, name, nodeId: '', namespace: undefined, network: undefined, dockerSocket: socket, docker: new Docker({ socketPath: socket }), dataDir, engine: undefined, agent: undefined });
      continue;
    }
    const network = createNodeNetwork(state, subnets, i);
    const engineName = `shoal-${state.runId}-${i}`;
    started.push(
      startEngine(state, engineName, network.namespace, network.bridgeCidr).then(async (engine) => {
        await loadImages(engine.socket, await images);
        return { i, name, dataDir, network, engine, engineName };
      }),
    );
  }
  // allSettled: every engine is recorded before a failure is reported, so teardown finds them all.
  const results = await Promise.allSettled([images, ...started]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  for (const r of results) {
    if (r.status !== 'fulfilled' || typeof r.value === 'string') continue;
    const { i, name, dataDir, network, engine, engineName } = r.value;
    cluster.nodes.push({ index: i, name, nodeId: '', namespace: network.namespace, network, dockerSocket: engine.socket, docker: engine.docker, dataDir, engine: engineName, agent: undefined });
  }
  cluster.nodes.sort((a, b) => a.index - b.index);
  cluster.timings.enginesMs = Date.now() - tEngines;

  const managerExited = cluster.manager.exited.then((code): never => {
    throw new Error(`the manager exited (${code})`);
  });
  managerExited.catch(() => undefined);
  cluster.tokens = await Promise.race([waitFor('the manager to print its join tokens', () => parseJoinTokens(cluster.manager.log()), 60_000, 100), managerExited]);
  await waitFor('the manager API', () => fetch(`${apiUrl(cluster.endpoints)}/healthz`).then((r) => r.ok || Promise.reject(new Error(`status ${r.status}`))), 30_000, 100);
  cluster.client = await adminClient(apiUrl(cluster.endpoints), cluster.manager.log());
  const tAgents = Date.now();
  cluster.timings.joinMs = await Promise.all(cluster.nodes.filter((n) => !deferred.has(n.index)).map((n) => cluster.startAgent(n.index)));
  cluster.timings.agentsReadyMs = Date.now() - tAgents;
}
