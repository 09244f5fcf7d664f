import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { agentPortPaths } from '../../api/agent-protocol.js';
import { ShoalError } from '../../api/errors.js';
import { identityOfSubject } from '../../lib/pki/certificate-identity.js';
import type { Logger } from '../../lib/logger.js';
import type { CertificateAuthority } from '../ca/certificate-authority.js';
import type { RevocationList } from '../ca/revocation.js';
import { statusOf, toShoalError } from '../http/error-mapping.js';
import { peerIdentityOfRequest, presentedCertificate } from './peer-identity.js';
import { readJsonBody } from './read-json-body.js';

export interface AgentServerOptions {
  host: string;
  port: number;
  ca: CertificateAuthority;
  revocations: RevocationList;
  logger: Logger;
  /** Names and addresses put in the server certificate. */
  altNames: string[];
  /** The manager's own id in its server certificate's subject. */
  managerId: string;
  /** Server certificates are re-issued at two thirds of this (default 7 days). */
  serverCertLifetimeMs?: number;
}


/**
 * The agent port: mutual TLS with the cluster CA. A connection without a certificate may only
 * join; one with a certificate not signed by the CA, expired, or of a removed node is closed as
 * soon as the handshake ends, before any request is read. The REST API is not served here.
 */
export class AgentServer {
  readonly server: Server;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly lifetimeMs: number;

  private constructor(
    private readonly options: AgentServerOptions,
    credentials: { key: string; cert: string },
  ) {
    this.lifetimeMs = options.serverCertLifetimeMs ?? 7 * 24 * 3600 * 1000;
    this.server = createServer({
      ...credentials,
      ca: [options.ca.caCertificatePem],
      requestCert: true,
      // Checked in 'secureConnection' instead, so that a node without a certificate can join.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // A peer that starts a handshake and stalls holds a socket only this long.
      handshakeTimeout: 10_000,
    });
    this.server.on('secureConnection', (socket: TLSSocket) => this.screen(socket));
    this.server.on('tlsClientError', (err: Error) => options.logger.debug({ reason: err.message }, 'agent port: TLS handshake failed'));
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
  }

  static async create(options: AgentServerOptions): Promise<AgentServer> {
    const lifetime = options.serverCertLifetimeMs ?? 7 * 24 * 3600 * 1000;
    const creds = await options.ca.serverCredentials(options.managerId, options.altNames, lifetime);
    return new AgentServer(options, creds);
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.scheduleServerRenewal();
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    clearTimeout(this.renewTimer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private screen(socket: TLSSocket): void {
    const cert = presentedCertificate(socket);
    if (!cert) return;
    const { logger, revocations } = this.options;
    const address = socket.remoteAddress;
    if (!socket.authorized) {
      logger.warn({ address, reason: String(socket.authorizationError) }, 'agent port: client certificate refused (not issued by this cluster\'s CA, or expired)');
      socket.destroy();
      return;
    }
    const identity = identityOfSubject(cert.subject);
    if (!identity || revocations.isRevoked(identity.nodeId, cert.serialNumber)) {
      logger.warn({ address, nodeId: identity?.nodeId, serial: cert.serialNumber }, 'agent port: client certificate refused (node removed from the cluster)');
      socket.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const address = req.socket.remoteAddress ?? '';
    if (req.method === 'POST' && path === agentPortPaths.join) {
      this.send(res, 200, await this.options.ca.join(await readJsonBody(req), address));
      return;
    }
    if (req.method === 'POST' && path === agentPortPaths.renew) {
      const identity = peerIdentityOfRequest(req);
      if (!identity) throw new ShoalError('unauthenticated', 'renewal needs the node\'s current client certificate');
      this.send(res, 200, await this.options.ca.renew(identity, await readJsonBody(req)));
      return;
    }
    throw new ShoalError('not_found', `no route ${req.method ?? ''} ${path ?? ''} on the agent port (the REST API is on the API port)`);
  }

  private fail(res: ServerResponse, err: unknown): void {
    const shoal = toShoalError(err);
    if (shoal.code === 'internal') this.options.logger.error({ err }, 'agent port: request failed');
    this.send(res, statusOf(shoal), shoal.toBody());
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  /** New key and certificate before the old ones expire; open connections keep theirs. */
  private scheduleServerRenewal(delayMs = (this.lifetimeMs * 2) / 3): void {
    this.renewTimer = setTimeout(() => {
      this.options.ca.serverCredentials(this.options.managerId, this.options.altNames, this.lifetimeMs).then(
        (creds) => {
          this.server.setSecureContext({ key: creds.key, cert: creds.cert, ca: [this.options.ca.caCertificatePem] });
          this.options.logger.info({ notAfter: creds.notAfter }, 'agent port: server certificate renewed');
          this.scheduleServerRenewal();
        },
        (err: unknown) => {
          this.options.logger.error({ err }, 'agent port: could not renew the server certificate; retrying in a minute');
          this.scheduleServerRenewal(60_000);
        },
      );
    }, Math.min(delayMs, 2 ** 31 - 1));
    this.renewTimer.unref();
  }
}
