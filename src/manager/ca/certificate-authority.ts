import type { CertificateResponse } from '../../api/agent-protocol.js';
import { ShoalError, invalidArgument } from '../../api/errors.js';
import type { NodeObject } from '../../api/objects.js';
import { nodeIdPattern, normalizeSerial, type CertificateIdentity } from '../../lib/pki/certificate-identity.js';
import { generateKeyPair, privateKeyToPem } from '../../lib/pki/keys.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { retryOnConflict, type Store } from '../store/store.js';
import { clusterId, joinRoles, type ClusterObject, type JoinRole } from './cluster-object.js';
import { issueCertificate, publicKeyOfCsr } from './issue-certificate.js';
import { checkJoinToken, newStoredToken } from './join-token.js';
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

  /** `POST /v1/join`: nothing is stored; the node appears when its first session starts. */
  async join(body: unknown, address: string): Promise<JoinResponse> {
    const input = maxBody(body);
    const cluster = await this.cluster();
    const check = checkJoinToken(cluster, this.options.ca.hash, input.token);
    if (!check.ok) {
      this.options.logger.warn({ address }, `join refused: ${check.message}`);
      throw new ShoalError('unauthenticated', check.message, 'token');
    }
    if (input.hostname !== undefined && (typeof input.hostname !== 'string' || input.hostname.length > 253)) {
      throw invalidArgument('hostname', 'must be a host name of at most 253 characters');
    }
    const publicKey = await publicKeyOfCsr(input.csr);
    const nodeId = this.rejoinId(check.role, input.nodeId) ?? newId();
    const issued = await issueCertificate(this.options.ca, { publicKey, nodeId, role: check.role, lifetimeMs: this.options.certExpiryMs });
    this.options.logger.info({ nodeId, role: check.role, hostname: input.hostname, address, serial: issued.serial, notAfter: issued.notAfter }, 'node joined: certificate issued');
    return { nodeId, role: check.role, certificate: issued.certificatePem, caCertificate: this.caCertificatePem };
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

  async showToken(role: string): Promise<{ role: JoinRole; token: string }> {
    const r = parseRole(role);
    const cluster = await this.cluster();
    return { role: r, token: this.options.box.open(cluster.tokens[r].sealed) };
  }

  async rotateToken(role: string, actor: string): Promise<{ role: JoinRole; token: string }> {
    const r = parseRole(role);
    const token = await retryOnConflict(async () => {
      const cluster = await this.cluster();
      const fresh = newStoredToken(this.options.ca.hash, this.options.box, new Date());
      const next: ClusterObject = { ...cluster, tokens: { ...cluster.tokens, [r]: fresh.stored } };
      await this.options.store.commit([{ op: 'put', kind: 'cluster', value: next, expectVersion: cluster.version }], { actor });
      return fresh.token;
    });
    this.options.logger.info({ role: r, actor }, 'join token rotated');
    return { role: r, token };
  }

  private async cluster(): Promise<ClusterObject> {
    const cluster = await this.options.store.get<ClusterObject>('cluster', clusterId);
    if (!cluster) throw new ShoalError('unavailable', 'the cluster is not initialised');
    return cluster;
  }
}

function parseRole(role: string): JoinRole {
  if ((joinRoles as readonly string[]).includes(role)) return role as JoinRole;
  throw invalidArgument('role', 'must be worker or manager');
}
