import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { identityOfSubject, normalizeSerial, type CertificateIdentity } from '../../lib/pki/certificate-identity.js';

export interface PeerIdentity extends CertificateIdentity {
  serial: string;
  notAfter: string;
}

/** Whether the peer sent a certificate at all (Node returns `{}` when it did not). */
export function presentedCertificate(socket: TLSSocket): PeerCertificate | undefined {
  const cert = socket.getPeerCertificate();
  return cert && Object.keys(cert).length > 0 ? cert : undefined;
}

/**
 * The node a connection proved to be: a certificate that chains to the cluster CA (checked by
 * TLS) and names a node id and role. Revocation is checked when the connection is made.
 */
export function peerIdentityOf(socket: TLSSocket): PeerIdentity | undefined {
  const cert = presentedCertificate(socket);
  if (!cert || !socket.authorized) return undefined;
  const identity = identityOfSubject(cert.subject);
  if (!identity) return undefined;
  return { ...identity, serial: normalizeSerial(cert.serialNumber), notAfter: new Date(cert.valid_to).toISOString() };
}

export const peerIdentityOfRequest = (req: IncomingMessage): PeerIdentity | undefined => peerIdentityOf(req.socket as TLSSocket);
