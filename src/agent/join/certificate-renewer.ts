import { agentPortPaths, type CertificateResponse, type RenewRequest } from '../../api/agent-protocol.js';
import { renewalTime } from '../../lib/pki/certificate-lifetime.js';
import type { Logger } from '../../lib/logger.js';
import { newKeyAndCsr } from './csr.js';
import { identityFromPems, writeIdentity, type NodeIdentity } from './identity-files.js';
import { tlsPostJson } from './tls-request.js';

export interface RenewerOptions {
  baseUrl: string;
  dataDir: string;
  hostname: string;
  logger: Logger;
  identity: NodeIdentity;
}

/**
 * Renews the node certificate (with a new key) once two thirds of its lifetime have passed,
 * over mutual TLS with the current one. Open sessions keep their connection; the next one uses
 * the new certificate. Failures are retried until the certificate expires; after that only a
 * new join can help, which the log says.
 */
export class CertificateRenewer {
  private timer: NodeJS.Timeout | undefined;
  private current: NodeIdentity;
  private stopped = false;

  constructor(private readonly options: RenewerOptions) {
    this.current = options.identity;
  }

  identity(): NodeIdentity {
    return this.current;
  }

  start(): void {
    this.schedule(renewalTime(this.current.notBefore, this.current.notAfter) - Date.now());
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), Math.min(Math.max(0, delayMs), 2 ** 31 - 1));
  }

  private async renew(): Promise<void> {
    const { logger } = this.options;
    const old = this.current;
    try {
      const { keyPem, csrPem } = await newKeyAndCsr(this.options.hostname);
      const body: RenewRequest = { csr: csrPem };
      const answer = await tlsPostJson<CertificateResponse>(`${this.options.baseUrl}${agentPortPaths.renew}`, body, { key: old.keyPem, cert: old.certificatePem, ca: old.caCertificatePem });
      const next = identityFromPems(keyPem, answer.certificate, answer.caCertificate);
      if (next.nodeId !== old.nodeId || next.caHash !== old.caHash) throw new Error('the renewed certificate names another node or CA');
      if (this.stopped) return;
      await writeIdentity(this.options.dataDir, next);
      this.current = next;
      logger.info({ nodeId: next.nodeId, serial: next.serial, notAfter: next.notAfter.toISOString() }, 'node certificate renewed');
      this.schedule(renewalTime(next.notBefore, next.notAfter) - Date.now());
    } catch (err) {
      const left = old.notAfter.getTime() - Date.now();
      if (left <= 0) {
        logger.error({ reason: (err as Error).message }, 'node certificate expired before it could be renewed: join again with a token');
        return;
      }
      const retry = Math.max(500, Math.min(30_000, left / 4));
      logger.warn({ reason: (err as Error).message, retryInMs: Math.round(retry) }, 'could not renew the node certificate; retrying');
      this.schedule(retry);
    }
  }
}
