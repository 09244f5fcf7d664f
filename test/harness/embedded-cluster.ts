import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { NodeObject, TaskObject } from '../../src/api/objects.js';
import type { ShoalClient } from '../../src/client/shoal-client.js';
import { adminSession, type AdminSession } from './admin-client.js';
import { freePort } from './free-port.js';
import { testClusterCidr } from './free-ten-block.js';
import { removeNodeNetworking } from './node-networking-cleanup.js';
import { waitFor } from './wait.js';

const repo = new URL('../..', import.meta.url).pathname;

/**
 * A real `shoal up` process (manager + local agent on the machine's Docker Engine) in its own
 * data dir and port. Cleans up only what it created: its process, its data dir, and the
 * containers labelled with its node id.
 */
export class EmbeddedCluster {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shoal-test-'));
  /** Flags added to every `shoal up` of this cluster (e.g. `--cluster-cidr`); a test may change them between starts. */
  readonly upFlags: string[];
  readonly docker = new Docker();
  port = 0;
  private admin: AdminSession | undefined;
  nodeId = '';
  private proc: ChildProcess | undefined;
  private output = '';

  constructor(options: { upFlags?: string[] } = {}) {
    this.upFlags = [...(options.upFlags ?? [])];
    // A block of its own, kept across restarts (a cluster refuses another one later).
    if (!this.upFlags.includes('--cluster-cidr')) this.upFlags.push('--cluster-cidr', testClusterCidr());
  }

  /** A client logged in as the cluster's administrator. */
  get client(): ShoalClient {
    if (!this.admin) throw new Error('the cluster has not started');
    return this.admin.client;
  }

  /** The administrator's `Authorization` header, for raw requests. */
  get authorization(): string {
    if (!this.admin) throw new Error('the cluster has not started');
    return this.admin.authorization;
  }

  /** The CLI config `shoal up` wrote (with the admin credential); CLI tests point SHOAL_CONFIG at it. */
  get cliConfig(): string {
    return join(this.dataDir, 'cli-config.json');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    if (!this.port) this.port = await freePort();
    this.proc = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'up', '--data-dir', this.dataDir, '--port', String(this.port), ...this.upFlags], {
      cwd: repo,
      env: { ...process.env, SHOAL_CONFIG: this.cliConfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    const exited = new Promise<never>((_, reject) => this.proc?.once('exit', (code) => reject(new Error(`shoal up exited (${code}): ${this.output}`))));
    const node = await Promise.race([
      waitFor('the local node to be ready', async () => {
        // The first start prints the admin password once; a restart keeps the first session.
        this.admin ??= await waitFor('shoal up to start', () => this.loginOnceUp(), 60000);
        const nodes = await this.client.listNodes();
        return nodes.find((n: NodeObject) => n.status.state === 'ready');
      }, 60000),
      exited,
    ]);
    this.nodeId = node.id;
    return this;
  }

  private async loginOnceUp(): Promise<AdminSession | undefined> {
    try {
      const health = await fetch(`${this.url}/healthz`);
      return health.ok ? await adminSession(this.url, this.output) : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL: no clean shutdown, as a crash or power loss would do. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGINT');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(sig);
    const timer = setTimeout(() => p.kill('SIGKILL'), 15000);
    await done;
    clearTimeout(timer);
  }

  async tasks(service: string): Promise<TaskObject[]> {
    return this.client.listTasks({ service });
  }

  async runningTasks(service: string): Promise<TaskObject[]> {
    return (await this.tasks(service)).filter((t) => t.desiredState === 'running' && t.status.state === 'running');
  }

  /** Containers of this cluster's node, optionally of one service. */
  async containers(serviceName?: string): Promise<Docker.ContainerInfo[]> {
    const label = [`io.shoal.node.id=${this.nodeId}`];
    if (serviceName) label.push(`io.shoal.service.name=${serviceName}`);
    return this.docker.listContainers({ all: true, filters: { label } });
  }

  log(): string {
    let file = '';
    try {
      file = readFileSync(join(this.dataDir, 'shoal.log'), 'utf8');
    } catch {
      // no log yet
    }
    return `${this.output}\n${file}`;
  }

  async destroy(): Promise<void> {
    await this.kill();
    // A start that failed before its node was ready may still have joined and made networks.
    this.nodeId ||= readNodeIdFile(this.dataDir);
    if (this.nodeId) {
      for (const c of await this.containers()) await this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      await removeNodeNetworking(this.docker, this.nodeId);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function readNodeIdFile(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'agent', 'node-id'), 'utf8').trim();
  } catch {
    return '';
  }
}
