import { agentPortPaths, type CertificateResponse, type JoinRequest } from '../../api/agent-protocol.js';
import { joinTokenFormatHint, parseJoinToken } from '../../lib/pki/join-token-format.js';
import { newKeyAndCsr } from './csr.js';
import { identityFromPems, type NodeIdentity } from './identity-files.js';
import { JoinError } from './join-error.js';
import { pinCaHash } from './pin-ca.js';
import { tlsPostJson } from './tls-request.js';


/**
 * First contact with a cluster: makes a key here, sends only a CSR and the token (after pinning
 * the manager's CA to the token's hash), and returns the identity to keep.
 */
export async function joinCluster(baseUrl: string, token: string, hostname: string, previousNodeId?: string): Promise<NodeIdentity> {
  const parsed = parseJoinToken(token);
  if (!parsed) throw new JoinError(`the join token is malformed (${joinTokenFormatHint})`);
  const { keyPem, csrPem } = await newKeyAndCsr(hostname);
  const body: JoinRequest & { nodeId?: string } = { token: token.trim(), csr: csrPem, hostname, ...(previousNodeId ? { nodeId: previousNodeId } : {}) };
  const answer = await tlsPostJson<CertificateResponse>(`${baseUrl}${agentPortPaths.join}`, body, { verifyPeer: pinCaHash(parsed.caHash) });
  const identity = identityFromPems(keyPem, answer.certificate, answer.caCertificate);
  if (identity.caHash !== parsed.caHash) throw new JoinError('the manager answered with a CA that is not the one the join token names; not joining');
  return identity;
}
