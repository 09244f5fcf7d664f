import { isIP } from 'node:net';
import { invalidArgument } from '../../api/errors.js';
import { certificateBackdateMs } from '../../lib/pki/certificate-lifetime.js';
import type { NodeRole } from '../../lib/pki/certificate-identity.js';
import { ecdsaP256, x509 } from '../../lib/pki/x509.js';
import type { RootCa } from './root-ca.js';
import { randomSerial } from './serial.js';

export interface IssueRequest {
  publicKey: x509.PublicKey | CryptoKey;
  nodeId: string;
  role: NodeRole;
  lifetimeMs: number;
  /** Host names and IP addresses for a server certificate. */
  altNames?: string[];
  now?: Date;
}

export interface IssuedCertificate {
  certificatePem: string;
  /** Lowercase hex, as the library writes it; compare through normalizeSerial. */
  serial: string;
  notAfter: string;
}

/**
 * Reads a CSR from a joining or renewing node and returns its public key. Only the key is
 * used: the subject is the manager's to decide (node id, role), so nothing the node claims
 * about itself ends up in its certificate.
 */
export async function publicKeyOfCsr(pem: unknown, field = 'csr'): Promise<x509.PublicKey> {
  if (typeof pem !== 'string' || pem.length > 16_384 || !pem.includes('-----BEGIN CERTIFICATE REQUEST-----')) {
    throw invalidArgument(field, 'must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw invalidArgument(field, 'is not a parsable PKCS#10 certificate request');
  }
  const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') throw invalidArgument(field, 'the key must be ECDSA P-256');
  // Proves the node holds the private key of what it asks to be certified.
  const valid = await csr.verify().catch(() => false);
  if (!valid) throw invalidArgument(field, 'its signature does not verify');
  return csr.publicKey;
}

export async function issueCertificate(ca: RootCa, req: IssueRequest): Promise<IssuedCertificate> {
  const now = req.now ?? new Date();
  const notAfter = new Date(now.getTime() + req.lifetimeMs);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    // Both: managers are also nodes, and agents' certificates serve nothing but it costs nothing.
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (req.altNames?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(req.altNames.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))));
  }
  const serial = randomSerial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${req.nodeId}, OU=${req.role}, O=shoal`,
    issuer: ca.certificate.subject,
    // Backdated so that a node whose clock is a little behind still accepts it.
    notBefore: new Date(now.getTime() - certificateBackdateMs),
    notAfter,
    signingAlgorithm: ecdsaP256,
    publicKey: req.publicKey,
    signingKey: ca.keys.privateKey,
    extensions,
  });
  return { certificatePem: `${cert.toString('pem').trim()}\n`, serial, notAfter: notAfter.toISOString() };
}
