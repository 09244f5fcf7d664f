import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { newKeyAndCsr } from '../../agent/join/csr.js';
import { identityFromPems } from '../../agent/join/identity-files.js';
import { caHashOfPem } from '../../lib/pki/ca-hash.js';
import { createLogger } from '../../lib/logger.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { CertificateAuthority } from './certificate-authority.js';
import { initCluster } from './cluster-init.js';
import { caKeyPath, createRootCa } from './root-ca.js';
import { SecretBox } from './secret-box.js';

let dir = '';
let store: SqliteStore;
let ca: CertificateAuthority;
let tokens: { worker: string; manager: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-ca-'));
  store = new SqliteStore(join(dir, 'shoal.db'));
  const init = await initCluster(store, dir);
  assert.ok(init.newTokens);
  tokens = init.newTokens;
  ca = new CertificateAuthority({ store, ca: init.ca, box: init.box, logger: createLogger('t', 'silent'), certExpiryMs: 60_000, isRevokedNode: () => false });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('the CA key and token key are 0600 files; a second start loads the same CA and shows no new tokens', async () => {
  assert.equal((await stat(caKeyPath(dir))).mode & 0o777, 0o600);
  assert.equal((await stat(SecretBox.path(dir))).mode & 0o777, 0o600);
  const again = await initCluster(store, dir);
  assert.equal(again.newTokens, undefined);
  assert.equal(again.ca.certificatePem, ca.caCertificatePem);
  assert.ok(tokens.worker.includes(caHashOfPem(ca.caCertificatePem)));
});

test('join signs the CSR key with CN = node id and OU = role, verifiable with the CA', async () => {
  const { keyPem, csrPem } = await newKeyAndCsr('host-a');
  const answer = await ca.join({ token: tokens.worker, csr: csrPem, hostname: 'host-a' }, '127.0.0.1');
  const cert = new X509Certificate(answer.certificate);
  assert.ok(cert.verify(new X509Certificate(answer.caCertificate).publicKey));
  assert.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(keyPem)));
  const id = identityFromPems(keyPem, answer.certificate, answer.caCertificate);
  assert.deepEqual([id.nodeId, id.role], [answer.nodeId, 'worker']);
  assert.ok(id.notAfter.getTime() - Date.now() <= 60_000);
  const manager = await ca.join({ token: tokens.manager, csr: (await newKeyAndCsr('m')).csrPem }, '127.0.0.1');
  assert.equal(manager.role, 'manager');
});

test('join refuses bad tokens and bad CSRs with a 4xx naming the field', async () => {
  const { csrPem } = await newKeyAndCsr('h');
  await assert.rejects(ca.join({ token: 'SHOAL-1-nope', csr: csrPem }, ''), (e: Error & { code?: string; field?: string }) => e.code === 'unauthenticated' && e.field === 'token');
  await assert.rejects(ca.join({ token: tokens.worker, csr: 'not a csr' }, ''), (e: Error & { code?: string; field?: string }) => e.code === 'invalid_argument' && e.field === 'csr');
  await assert.rejects(ca.join('[]', ''), (e: Error & { field?: string }) => e.field === 'body');
  const tampered = csrPem.replace(/[A-Za-z](?=[A-Za-z0-9+/=]*\n-----END)/, (c) => (c === 'A' ? 'B' : 'A'));
  await assert.rejects(ca.join({ token: tokens.worker, csr: tampered }, ''), (e: Error & { code?: string }) => e.code === 'invalid_argument');
});

test('a certificate from another CA does not verify against this one', async () => {
  const foreignDir = await mkdtemp(join(tmpdir(), 'shoal-ca-foreign-'));
  const foreign = await createRootCa(foreignDir);
  const { csrPem } = await newKeyAndCsr('x');
  const answer = await ca.join({ token: tokens.worker, csr: csrPem }, '');
  assert.equal(new X509Certificate(answer.certificate).verify(new X509Certificate(foreign.certificatePem).publicKey), false);
  await rm(foreignDir, { recursive: true, force: true });
});

test('rotation replaces the token: the old one no longer joins, show prints the new one', async () => {
  const old = tokens.worker;
  const rotated = await ca.rotateToken('worker', 'test');
  assert.notEqual(rotated.token, old);
  assert.equal((await ca.showToken('worker')).token, rotated.token);
  const { csrPem } = await newKeyAndCsr('h');
  await assert.rejects(ca.join({ token: old, csr: csrPem }, ''), /rotated/);
  await assert.rejects(ca.showToken('admin'), (e: Error & { field?: string }) => e.field === 'role');
});
