import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShoalClient } from '../../src/client/shoal-client.js';
import { adminClient, printedAdminPassword } from './admin-client.js';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

const repo = new URL('../..', import.meta.url).pathname;

/**
 * A real `shoal manager` process with its own data dir, API port and agent port. Keeps its JSON
 * log (stdout) apart from its terminal output (stderr), where the tokens are shown once.
 */
export class ManagerProcess {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shoal-mgr-'));
  apiPort = 0;
  agentPort = 0;
  stdout = '';
  stderr = '';
  private adminSession: ShoalClient | undefined;
  private proc: ChildProcess | undefined;

  constructor(
    private readonly extraArgs: string[] = [],
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  /** A client logged in as the cluster's administrator. */
  get client(): ShoalClient {
    if (!this.adminSession) throw new Error('the manager has not started');
    return this.adminSession;
  }

  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** SHOAL_CONFIG of the manager process: where `--init` writes the admin's CLI credential. */
  get cliConfig(): string {
    return join(this.dataDir, 'cli-config.json');
  }

  get agentAddress(): string {
    return `127.0.0.1:${this.agentPort}`;
  }

  async start(): Promise<this> {
    if (!this.apiPort) this.apiPort = await freePort();
    if (!this.agentPort) this.agentPort = await freePort();
    const args = ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'manager', '--init', '--listen', `127.0.0.1:${this.apiPort}`, '--agent-listen', this.agentAddress, '--data-dir', this.dataDir, ...this.extraArgs];
    // The admin credential `--init` writes goes to the data dir, never to the user's own config.
    const proc = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.extraEnv, SHOAL_CONFIG: this.cliConfig } });
    this.proc = proc;
    proc.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`shoal manager exited (${code}): ${this.stderr}`))));
    // The banner is printed once everything (API, agent port, loops) is up.
    const banners = this.stderr.split('agents join').length;
    await Promise.race([waitFor('the manager to start', () => this.stderr.split('agents join').length > banners, 60_000, 100), exited]);
    exited.catch(() => undefined);
    // The session outlives any test, so a restarted manager keeps the first start's client.
    if (!this.adminSession) {
      // The password line follows the banner: wait for it rather than read a half-printed output.
      await Promise.race([waitFor('the administrator password', () => printedAdminPassword(this.stderr), 30_000, 50), exited]);
      this.adminSession = await adminClient(this.url, this.stderr);
    }
    await this.adminSession.health();
    return this;
  }

  /** The tokens printed on the first start. */
  tokens(): { worker: string; manager: string } {
    const worker = /^\s*worker:\s+(\S+)\s*$/m.exec(this.stderr)?.[1];
    const manager = /^\s*manager:\s+(\S+)\s*$/m.exec(this.stderr)?.[1];
    if (!worker || !manager) throw new Error(`no tokens printed: ${this.stderr}`);
    return { worker, manager };
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGINT');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await done;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
