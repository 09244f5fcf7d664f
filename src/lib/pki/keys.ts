import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { ecdsaP256, x509 } from './x509.js';

export type KeyPair = webcrypto.CryptoKeyPair;

/** Extractable so that it can be written to a 0600 file; it never leaves the host that made it. */
export async function generateKeyPair(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ecdsaP256, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** Reads a PKCS#8 PEM back into a key pair (webcrypto cannot derive the public half itself). */
export async function keyPairFromPem(pem: string): Promise<KeyPair> {
  const keyObject = createPrivateKey(pem);
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ecdsaP256, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', spki, ecdsaP256, true, ['verify']);
  return { privateKey, publicKey };
}
