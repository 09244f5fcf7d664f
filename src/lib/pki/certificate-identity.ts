/**
 * What a node certificate says: the subject CN is the node id, the OU its role. Both sides read
 * it the same way, the manager from a client certificate, the agent from the server's.
 */
export type NodeRole = 'worker' | 'manager';

export interface CertificateIdentity {
  nodeId: string;
  role: NodeRole;
}

export const nodeIdPattern = /^[a-z0-9]{1,64}$/;

/** Parses the subject as Node's TLS reports it (`{ CN, OU }`, values possibly arrays). */
export function identityOfSubject(subject: Record<string, string | string[] | undefined> | undefined): CertificateIdentity | undefined {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const nodeId = first(subject?.CN);
  const role = first(subject?.OU);
  if (!nodeId || !nodeIdPattern.test(nodeId)) return undefined;
  if (role !== 'worker' && role !== 'manager') return undefined;
  return { nodeId, role };
}

/** Node reports serials as uppercase hex; @peculiar/x509 as lowercase, maybe with a leading 0. */
export function normalizeSerial(serial: string): string {
  return serial.toUpperCase().replace(/^0+(?=.)/, '');
}
