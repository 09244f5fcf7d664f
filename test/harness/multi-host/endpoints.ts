import { join } from 'node:path';
import { repoRoot } from './prerequisites.js';
import { freePort } from '../free-port.js';

/**
 * THE one place that knows how a manager is told where to listen and how an agent is told where
 * to join: the REST API on one port, the mutual-TLS agent port (join, renewal, sessions) on another.
 */
export interface ManagerEndpoints {
  apiPort: number;
  agentPort: number;
}

/** The CLI entry the harness runs; SHOAL_MH_MAIN points it at another one (e.g. a build: dist/cli/main.js). */
export const shoalMain = process.env.SHOAL_MH_MAIN ?? join(repoRoot, 'src/cli/main.ts');

export async function chooseEndpoints(): Promise<ManagerEndpoints> {
  const apiPort = await freePort();
  return { apiPort, agentPort: await freePort() };
}

/** Listens on every address: the host (127.0.0.1) and every namespace (its host-side veth address). */
export function managerListenArgs(e: ManagerEndpoints): string[] {
  return ['--listen', `0.0.0.0:${e.apiPort}`, '--agent-listen', `0.0.0.0:${e.agentPort}`];
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
