import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { caHashOfDer } from '../../lib/pki/ca-hash.js';
import { JoinError } from './join-error.js';

/**
 * Trust on first join, pinned by the token: the manager's chain must end in a CA whose SHA-256
 * is the one the token carries, and that CA must have signed the server's certificate. Checked
 * before the token is sent, so a man in the middle learns nothing.
 */
export function pinCaHash(expectedHash: string): (socket: TLSSocket) => Error | undefined {
  return (socket) => {
    const leaf = socket.getPeerCertificate(true);
    if (!leaf || !leaf.raw) return new JoinError('the manager presented no certificate');
    let root: DetailedPeerCertificate = leaf;
    for (let i = 0; i < 5 && root.issuerCertificate && root.issuerCertificate !== root && root.issuerCertificate.raw; i++) root = root.issuerCertificate;
    const actual = caHashOfDer(root.raw);
    if (actual !== expectedHash) {
      return new JoinError(`the manager's CA (sha256 ${actual.slice(0, 16)}...) is not the one the join token names (${expectedHash.slice(0, 16)}...): wrong token or wrong address, or someone in between; not joining`);
    }
    const ca = new X509Certificate(root.raw);
    const server = new X509Certificate(leaf.raw);
    if (root !== leaf && !server.verify(ca.publicKey)) return new JoinError('the manager\'s certificate is not signed by the CA the join token names; not joining');
    return undefined;
  };
}
