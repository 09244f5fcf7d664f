// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect
// metadata API installed before the library loads: hence this module, the only entry to it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

/** Every key of a Shoal cluster (root CA, managers, agents) is ECDSA P-256 signing with SHA-256. */
export const ecdsaP256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
