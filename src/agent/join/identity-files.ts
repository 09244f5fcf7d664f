import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { caHashOfPem } from '../../lib/pki/ca-hash.js';
import { writePrivateFile } from '../../lib/private-files.js';
import { identityOfSubject, type CertificateIdentity } from '../../lib/pki/certificate-identity.js';

/** What a joined node holds: its key (made here, never sent), its certificate and the CA's. */
export interface NodeIdentity extends CertificateIdentity {
  keyPem: string;
  certificatePem: string;
  caCertificatePem: string;
  caHash: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

const files = { key: 'node-key.pem', cert: 'node-cert.pem', ca: 'ca-cert.pem' } as const;

export function identityFromPems(keyPem: string, certificatePem: string, caCertificatePem: string): NodeIdentity {
  const cert = new X509Certificate(certificatePem);
  const subject = Object.fromEntries(cert.subject.split('\n').map((line) => line.split('=', 2) as [string, string]));
  const identity = identityOfSubject(subject);
  if (!identity) throw new Error('the node certificate names no node id and role');
  return {
    ...identity,
    keyPem,
    certificatePem,
    caCertificatePem,
    caHash: caHashOfPem(caCertificatePem),
    serial: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** The identity kept in the agent's data dir, or undefined before the first join. */
export async function readIdentity(dataDir: string): Promise<NodeIdentity | undefined> {
  try {
    const [key, cert, ca] = await Promise.all([files.key, files.cert, files.ca].map((f) => readFile(join(dataDir, f), 'utf8')));
    return identityFromPems(key ?? '', cert ?? '', ca ?? '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes the certificates first and the key last, each through a temporary file, so a crash
 * leaves either the old identity or the new one readable (a new key with an old certificate is
 * refused by TLS and the next start re-joins or renews).
 */
export async function writeIdentity(dataDir: string, identity: NodeIdentity): Promise<void> {
  await writePrivateFile(join(dataDir, files.ca), identity.caCertificatePem);
  await writePrivateFile(join(dataDir, files.key), identity.keyPem);
  await writePrivateFile(join(dataDir, files.cert), identity.certificatePem);
}

/** The files of the identity and the node id, which the agent closes to other users at start. */
export const identityFileNames: readonly string[] = [files.key, files.cert, files.ca];
