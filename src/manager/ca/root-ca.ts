import { webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { caHashOfPem } from '../../lib/pki/ca-hash.js';
import { writePrivateFile } from '../../lib/private-files.js';
import { generateKeyPair, keyPairFromPem, privateKeyToPem, type KeyPair } from '../../lib/pki/keys.js';
import { ecdsaP256, x509 } from '../../lib/pki/x509.js';
import { randomSerial } from './serial.js';

/** The cluster's root of trust: its certificate (public, in the store) and key (in one file). */
export interface RootCa {
  certificatePem: string;
  certificate: x509.X509Certificate;
  keys: KeyPair;
  /** SHA-256 of the certificate's DER, as join tokens carry it. */
  hash: string;
}

const rootLifetimeMs = 10 * 365 * 24 * 3600 * 1000;

export const caKeyPath = (dataDir: string): string => join(dataDir, 'ca', 'ca-key.pem');

export async function createRootCa(dataDir: string, now = new Date()): Promise<RootCa> {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=Shoal Root CA, O=shoal',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + rootLifetimeMs),
    signingAlgorithm: ecdsaP256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await writePrivateFile(caKeyPath(dataDir), await privateKeyToPem(keys.privateKey));
  const certificatePem = `${certificate.toString('pem').trim()}\n`;
  return { certificatePem, certificate, keys, hash: caHashOfPem(certificatePem) };
}

/** Loads the key of a CA whose certificate the store holds; refuses a key that does not match it. */
export async function loadRootCa(dataDir: string, certificatePem: string): Promise<RootCa> {
  let keyPem: string;
  try {
    keyPem = await readFile(caKeyPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`the cluster CA key ${caKeyPath(dataDir)} is missing: this data dir does not belong to the manager that created the cluster`);
    }
    throw err;
  }
  const keys = await keyPairFromPem(keyPem);
  const certificate = new x509.X509Certificate(certificatePem);
  const spki = Buffer.from(certificate.publicKey.rawData);
  const own = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  if (!spki.equals(own)) throw new Error(`the CA key ${caKeyPath(dataDir)} does not match the cluster's CA certificate`);
  return { certificatePem, certificate, keys, hash: caHashOfPem(certificatePem) };
}
