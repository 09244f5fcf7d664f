import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './prerequisites.js';
import { runSync } from './run-command.js';

/**
 * THE one place that knows how a manager is told where to listen and how an agent is told where
 * to join. Today the API and agent sessions share one port; once the manager has a separate
 * (mutual TLS) agent port (`--agent-listen`, default API port + 1), agents join that one. The
 * harness asks `shoal manager --help` which form this checkout speaks.
 */
export interface ManagerEndpoints {
  apiPort: number;
  /** Equal to apiPort while the manager has no separate agent listener. */
  agentPort: number;
}

/** The CLI entry the harness runs; SHOAL_MH_MAIN points it at another one (e.g. a build: dist/cli/main.js). */
export const shoalMain = process.env.SHOAL_MH_MAIN ?? join(repoRoot, 'src/cli/main.ts');

let agentListenFlag: boolean | undefined;

/** Whether this checkout's `shoal manager` has `--agent-listen`. */
export function hasAgentListen(): boolean {
  if (agentListenFlag === undefined) {
    const help = runSync(process.execPath, ['--import', 'tsx', shoalMain, 'manager', '--help'], 60_000);
    agentListenFlag = help.stdout.includes('--agent-listen');
  }
  return agentListenFlag;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '0.0.0.0', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function chooseEndpoints(): Promise<ManagerEndpoints> {
  const apiPort = await freePort();
  const agentPort = hasAgentListen() ? await freePort() : apiPort;
  return { apiPort, agentPort };
}

/** Listens on every address: the host (127.0.0.1) and every namespace (its host-side veth address). */
export function managerListenArgs(e: ManagerEndpoints): string[] {
  const args = ['--listen', `0.0.0.0:${e.apiPort}`];
  if (e.agentPort !== e.apiPort) args.push('--agent-listen', `0.0.0.0:${e.agentPort}`);
  return args;
}

/** What `shoal agent --join` gets, for an agent that reaches the manager at `address`. */
export function agentJoinTarget(address: string, e: ManagerEndpoints): string {
  return `${address}:${e.agentPort}`;
}

/** The REST API, as the test process (on the host) reaches it. */
export function apiUrl(e: ManagerEndpoints): string {
  return `http://127.0.0.1:${e.apiPort}`;
}

export interface JoinTokens {
  worker: string;
  manager: string;
}

/** The tokens a manager prints once, on its first start, as `  worker:  SHOAL-…` / `  manager: SHOAL-…`. */
export function parseJoinTokens(stderr: string): JoinTokens | undefined {
  const worker = /^\s*worker:\s+(\S+)\s*$/m.exec(stderr)?.[1];
  const manager = /^\s*manager:\s+(\S+)\s*$/m.exec(stderr)?.[1];
  return worker && manager ? { worker, manager } : undefined;
}
