import { parseJoinToken, joinTokenFormatHint } from '../../lib/pki/join-token-format.js';
import type { Logger } from '../../lib/logger.js';
import { readIdentity, writeIdentity, type NodeIdentity } from './identity-files.js';
import { JoinError } from './join-error.js';
import { joinCluster } from './join-cluster.js';
import { ManagerRefusedError } from './tls-request.js';

export interface ObtainOptions {
  baseUrl: string;
  dataDir: string;
  hostname: string;
  token?: string;
  logger: Logger;
  /** How long to keep trying while the manager cannot be reached (default 30 s). */
  retryForMs?: number;
}

/**
 * The identity this agent runs with: the one in its data dir when it is still good and of the
 * cluster the token names, else a new join. A token is only needed for that join.
 */
export async function obtainIdentity(options: ObtainOptions): Promise<NodeIdentity> {
  const { token, logger } = options;
  const parsed = token !== undefined ? parseJoinToken(token) : undefined;
  if (token !== undefined && !parsed) throw new JoinError(`the join token is malformed (${joinTokenFormatHint})`);
  const kept = await readIdentity(options.dataDir);
  const sameCluster = kept !== undefined && (!parsed || parsed.caHash === kept.caHash);
  if (kept && sameCluster && kept.notAfter.getTime() > Date.now()) return kept;
  if (!token) {
    throw new JoinError(kept ? 'this node\'s certificate has expired: join again with a token (--token)' : 'this agent has not joined a cluster yet: give a join token (--token or SHOAL_JOIN_TOKEN)');
  }
  // Rejoining the same cluster asks for the same node id, which the manager grants to manager tokens only.
  const previous = kept && sameCluster ? kept.nodeId : undefined;
  const deadline = Date.now() + (options.retryForMs ?? 30_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
    try {
      const identity = await joinCluster(options.baseUrl, token, options.hostname, previous);
      await writeIdentity(options.dataDir, identity);
      logger.info({ nodeId: identity.nodeId, role: identity.role, notAfter: identity.notAfter.toISOString() }, 'joined the cluster: certificate stored');
      return identity;
    } catch (err) {
      if (err instanceof JoinError) throw err;
      if (err instanceof ManagerRefusedError) throw new JoinError(`the manager refused to join: ${err.message}`);
      if (Date.now() + delay > deadline) throw new JoinError(`could not reach the manager's agent port at ${options.baseUrl}: ${(err as Error).message}`);
      logger.info({ reason: (err as Error).message, retryInMs: delay }, 'manager not reachable yet; retrying the join');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
