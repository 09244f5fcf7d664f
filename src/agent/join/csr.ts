import { generateKeyPair, privateKeyToPem } from '../../lib/pki/keys.js';
import { ecdsaP256, x509 } from '../../lib/pki/x509.js';

/** A fresh key pair and a request for it; the manager takes only the public key from the CSR. */
export async function newKeyAndCsr(hostname: string): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${hostname.replace(/[,=+<>#;"\\]/g, '_').slice(0, 64) || 'node'}`,
    keys,
    signingAlgorithm: ecdsaP256,
  });
  return { keyPem: await privateKeyToPem(keys.privateKey), csrPem: csr.toString('pem') };
}
