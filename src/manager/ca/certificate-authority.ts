import type { CertificateResponse } from '../../api/agent-protocol.js';
import { ShoalError, invalidArgument } from '../../api/errors.js';
import type { NodeObject } from '../../api/objects.js';
import { nodeIdPattern, normalizeSerial, type CertificateIdentity } from '../../lib/pki/certificate-identity.js';
import { generateKeyPair, privateKeyToPem } from '../../lib/pki/keys.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import { ConflictError, retryOnConflict, type Op, type Store } from '../store/store.js';
import { clusterId, defaultTokenEnvironment, joinRoles, type ClusterObject, type EnvironmentJoinToken, type JoinRole } from './cluster-object.js';
import { issueCertificate, publicKeyOfCsr } from './issue-certificate.js';
import { checkJoinToken, newStoredToken, type TokenGrant } from './join-token.js';
import type { RootCa } from './root-ca.js';
import type { SecretBox } from './secret-box.js';

export type JoinResponse = CertificateResponse;

export interface CertificateAuthorityOptions {
  store: Store;
  ca: RootCa;
  box: SecretBox;
  logger: Logger;
  /** Lifetime of node certificates. */
  certExpiryMs: number;
  isRevokedNode: (nodeId: string) => boolean;
}

const maxBody = (body: unknown): Record<string, unknown> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('body', 'must be a JSON object');
  return body as Record<string, unknown>;
};

/**
 * The cluster CA at work: admits nodes that present a current join token, renews the
 * certificates of nodes that already have one, and shows or rotates the tokens.
 */
export class CertificateAuthority {
  constructor(private readonly options: CertificateAuthorityOptions) {}

  get caCertificatePem(): string {
    return this.options.ca.certificatePem;
  }

  /**
   * `POST /v1/join`: a refused join stores nothing. An admitted node is stored at once, in the
   * environment its token belongs to (see recordJoinedNode).
   */
  async join(body: unknown, address: string): Promise<JoinResponse> {
    const input = maxBody(body);
    const cluster = await this.cluster();
    const check = checkJoinToken(cluster, this.options.ca.hash, input.token);
    if (!check.ok) this.refuseJoin(address, check.message);
    if (!(await this.environmentStillExists(check))) {
      this.refuseJoin(address, `token: it belongs to environment "${check.env}", which no longer exists; ask an owner of the environment for a current token (shoal token show worker --env NAME)`);
    }
    if (input.hostname !== undefined && (typeof input.hostname !== 'string' || input.hostname.length > 253)) {
      throw invalidArgument('hostname', 'must be a host name of at most 253 characters');
    }
    const hostname = typeof input.hostname === 'string' ? input.hostname : undefined;
    const publicKey = await publicKeyOfCsr(input.csr);
    const nodeId = this.rejoinId(check.role, input.nodeId) ?? newId();
    const issued = await issueCertificate(this.options.ca, { publicKey, nodeId, role: check.role, lifetimeMs: this.options.certExpiryMs });
    await this.recordJoinedNode({ nodeId, role: check.role, env: check.env, hostname: hostname ?? nodeId, address, serial: issued.serial, notAfter: issued.notAfter });
    this.options.logger.info({ nodeId, role: check.role, env: check.env, hostname, address, serial: issued.serial, notAfter: issued.notAfter }, 'node joined: certificate issued');
    return { nodeId, role: check.role, certificate: issued.certificatePem, caCertificate: this.caCertificatePem };
  }

  private refuseJoin(address: string, message: string): never {
    this.options.logger.warn({ address }, `join refused: ${message}`);
    throw new ShoalError('unauthenticated', message, 'token');
  }

  /** A token of an environment that was removed (or removed and created again) grants nothing. */
  private async environmentStillExists(grant: TokenGrant): Promise<boolean> {
    if (grant.envCreatedAt === undefined) return true;
    const environment = await this.options.store.get<EnvironmentObject>('environment', grant.env);
    return environment?.createdAt === grant.envCreatedAt;
  }

  /**
   * Stores the node in its token's environment. The agent's first session keeps the stored
   * node's environment, so this is the one place a node's environment is decided; a certificate
   * cannot change it, and until that session the node shows as `unknown`. A manager coming back
   * as itself keeps its node as it is.
   */
  private async recordJoinedNode(n: { nodeId: string; role: JoinRole; env: string; hostname: string; address: string; serial: string; notAfter: string }): Promise<void> {
    const { store } = this.options;
    if (await store.get<NodeObject>('node', n.nodeId)) return;
    const now = new Date().toISOString();
    const node: NodeObject = {
      id: n.nodeId,
      env: n.env,
      version: 0,
      createdAt: now,
      updatedAt: now,
      hostname: n.hostname,
      role: n.role,
      availability: 'active',
      labels: {},
      status: { state: 'unknown', message: 'joined; waiting for the agent\'s first session', address: n.address, timestamp: now },
      resources: { nanoCpus: 0, memoryBytes: 0 },
      engine: { version: '', os: '', arch: '' },
      certificate: { serial: normalizeSerial(n.serial), notAfter: n.notAfter },
    };
    try {
      await store.commit([{ op: 'create', kind: 'node', value: node }], { actor: `node:${n.nodeId}`, ...(n.address ? { source: n.address } : {}) });
    } catch (err) {
      // Only a rejoining manager's own session can have stored it meanwhile: that node stands.
      if (!(err instanceof ConflictError)) throw err;
    }
  }

  /**
   * A node whose certificate expired while it was off may come back as itself, keeping its
   * tasks and containers, but only with a manager token: whoever holds one could become a
   * manager anyway. Worker tokens always get a new id, so they cannot impersonate a node.
   */
  private rejoinId(role: JoinRole, requested: unknown): string | undefined {
    if (role !== 'manager' || typeof requested !== 'string' || !nodeIdPattern.test(requested)) return undefined;
    return this.options.isRevokedNode(requested) ? undefined : requested;
  }

  /** `POST /v1/node/certificate`: same node id and role as the certificate the caller proved. */
  async renew(identity: CertificateIdentity, body: unknown): Promise<JoinResponse> {
    const input = maxBody(body);
    const publicKey = await publicKeyOfCsr(input.csr);
    const issued = await issueCertificate(this.options.ca, { publicKey, nodeId: identity.nodeId, role: identity.role, lifetimeMs: this.options.certExpiryMs });
    await retryOnConflict(async () => {
      const node = await this.options.store.get<NodeObject>('node', identity.nodeId);
      if (!node) return;
      const next: NodeObject = { ...node, certificate: { serial: normalizeSerial(issued.serial), notAfter: issued.notAfter } };
      await this.options.store.commit([{ op: 'put', kind: 'node', value: next, expectVersion: node.version }], { actor: `node:${identity.nodeId}` });
    });
    this.options.logger.info({ nodeId: identity.nodeId, serial: issued.serial, notAfter: issued.notAfter }, 'node certificate renewed');
    return { nodeId: identity.nodeId, role: identity.role, certificate: issued.certificatePem, caCertificate: this.caCertificatePem };
  }

  /** Key and chain for the manager's TLS listener; the key lives in memory only. */
  async serverCredentials(nodeId: string, altNames: string[], lifetimeMs: number): Promise<{ key: string; cert: string; notAfter: string }> {
    const keys = await generateKeyPair();
    const issued = await issueCertificate(this.options.ca, { publicKey: keys.publicKey, nodeId, role: 'manager', lifetimeMs, altNames });
    return { key: await privateKeyToPem(keys.privateKey), cert: `${issued.certificatePem.trim()}\n${this.caCertificatePem.trim()}\n`, notAfter: issued.notAfter };
  }

  /**
   * The current join token of a role. The worker token is the environment's own (`default`'s
   * is the cluster's original one); another environment's is made the first time it is asked
   * for. The manager token is cluster-wide and takes no environment.
   */
  async showToken(role: string, env: string, actor: string): Promise<JoinTokenView> {
    const r = parseRole(role);
    if (r === 'manager' || env === defaultTokenEnvironment) {
      const cluster = await this.cluster();
      return view(r, env, this.options.box.open(cluster.tokens[r].sealed));
    }
    const environment = await this.environment(env);
    const shown = await retryOnConflict(async () => {
      const cluster = await this.cluster();
      const stored = cluster.environmentTokens?.[env];
      if (stored && stored.envCreatedAt === environment.createdAt) return { token: this.options.box.open(stored.sealed), created: false };
      return { token: await this.writeEnvironmentToken(cluster, environment, actor), created: true };
    });
    if (shown.created) this.options.logger.info({ role: r, env, actor }, 'join token created');
    return view(r, env, shown.token);
  }

  /** A new token for the role (the worker token of `env`); the old one no longer joins. */
  async rotateToken(role: string, env: string, actor: string): Promise<JoinTokenView> {
    const r = parseRole(role);
    let token: string;
    if (r === 'manager' || env === defaultTokenEnvironment) {
      token = await retryOnConflict(async () => {
        const cluster = await this.cluster();
        const fresh = newStoredToken(this.options.ca.hash, this.options.box, new Date());
        const next: ClusterObject = { ...cluster, tokens: { ...cluster.tokens, [r]: fresh.stored } };
        await this.options.store.commit([{ op: 'put', kind: 'cluster', value: next, expectVersion: cluster.version }], { actor });
        return fresh.token;
      });
    } else {
      const environment = await this.environment(env);
      token = await retryOnConflict(async () => this.writeEnvironmentToken(await this.cluster(), environment, actor));
    }
    this.options.logger.info({ role: r, ...(r === 'worker' ? { env } : {}), actor }, 'join token rotated');
    return view(r, env, token);
  }

  /**
   * Replaces the environment's worker token, and drops those of environments that no longer
   * exist as the incarnation they were made for (they could not join anyway).
   */
  private async writeEnvironmentToken(cluster: ClusterObject, environment: EnvironmentObject, actor: string): Promise<string> {
    const { store, box, ca } = this.options;
    const fresh = newStoredToken(ca.hash, box, new Date());
    const alive = new Map((await store.list<EnvironmentObject>('environment')).map((e) => [e.id, e.createdAt]));
    const kept = Object.entries(cluster.environmentTokens ?? {}).filter(([name, t]) => name !== environment.id && alive.get(name) === t.envCreatedAt);
    const environmentTokens = Object.fromEntries([...kept, [environment.id, { ...fresh.stored, envCreatedAt: environment.createdAt }]]) as Record<string, EnvironmentJoinToken>;
    const next: ClusterObject = { ...cluster, environmentTokens };
    await store.commit([{ op: 'put', kind: 'cluster', value: next, expectVersion: cluster.version }], { actor });
    return fresh.token;
  }

  /**
   * For the commit that removes an environment: drops its worker token with it. (A token that
   * outlived its environment would still join nothing: see environmentStillExists.)
   */
  async environmentRemovalOps(env: string): Promise<Op[]> {
    const cluster = await this.cluster();
    if (!cluster.environmentTokens?.[env]) return [];
    const { [env]: _dropped, ...rest } = cluster.environmentTokens;
    const next: ClusterObject = { ...cluster, environmentTokens: rest };
    return [{ op: 'put', kind: 'cluster', value: next, expectVersion: cluster.version }];
  }

  private async environment(name: string): Promise<EnvironmentObject> {
    const environment = await this.options.store.get<EnvironmentObject>('environment', name);
    if (!environment) throw new ShoalError('not_found', `environment "${name}" not found`, 'env');
    return environment;
  }

  private async cluster(): Promise<ClusterObject> {
    const cluster = await this.options.store.get<ClusterObject>('cluster', clusterId);
    if (!cluster) throw new ShoalError('unavailable', 'the cluster is not initialised');
    return cluster;
  }
}

/** A join token as the token routes answer it; `env` only for worker tokens. */
export interface JoinTokenView {
  role: JoinRole;
  token: string;
  env?: string;
}

const view = (role: JoinRole, env: string, token: string): JoinTokenView => (role === 'worker' ? { role, env, token } : { role, token });

function parseRole(role: string): JoinRole {
  if ((joinRoles as readonly string[]).includes(role)) return role as JoinRole;
  throw invalidArgument('role', 'must be worker or manager');
}
