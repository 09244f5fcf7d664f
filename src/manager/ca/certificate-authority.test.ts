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
import type { NodeObject } from '../../api/objects.js';
import { normalizeSerial } from '../../lib/pki/certificate-identity.js';
import type { EnvironmentObject } from '../environments/environment-object.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { CertificateAuthority } from './certificate-authority.js';
import { clusterId, type ClusterObject } from './cluster-object.js';
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
  const rotated = await ca.rotateToken('worker', 'default', 'test');
  assert.notEqual(rotated.token, old);
  assert.deepEqual(await ca.showToken('worker', 'default', 'test'), { role: 'worker', env: 'default', token: rotated.token });
  const { csrPem } = await newKeyAndCsr('h');
  await assert.rejects(ca.join({ token: old, csr: csrPem }, ''), /rotated/);
  await assert.rejects(ca.showToken('admin', 'default', 'test'), (e: Error & { field?: string }) => e.field === 'role');
  tokens.worker = rotated.token;
});

const environment = (name: string, createdAt: string): EnvironmentObject => ({ id: name, env: '', version: 0, name, members: {}, createdBy: 't', createdAt, updatedAt: createdAt });
const nodes = async (): Promise<NodeObject[]> => store.list<NodeObject>('node');

test('a node is stored at join in the environment of its token; managers and the default token join default', async () => {
  const worker = await ca.join({ token: tokens.worker, csr: (await newKeyAndCsr('w')).csrPem, hostname: 'dflt-1' }, '10.0.0.9');
  const stored = await store.get<NodeObject>('node', worker.nodeId);
  assert.equal(stored?.env, 'default');
  assert.equal(stored?.hostname, 'dflt-1');
  assert.equal(stored?.status.state, 'unknown', 'not ready before its agent\'s first session');
  assert.equal(stored?.status.address, '10.0.0.9');
  assert.equal(stored?.certificate?.serial, normalizeSerial(new X509Certificate(worker.certificate).serialNumber), 'so removing it before its first session revokes the certificate');
  const manager = await ca.join({ token: tokens.manager, csr: (await newKeyAndCsr('m')).csrPem }, '');
  assert.deepEqual([(await store.get<NodeObject>('node', manager.nodeId))?.env, manager.role], ['default', 'manager']);
  const shown = await ca.showToken('manager', 'prod', 'test');
  assert.deepEqual(shown, { role: 'manager', token: tokens.manager }, 'the manager token is cluster-wide, whatever the environment');
});

test('each environment has its own worker token, made on first show, rotated on its own', async () => {
  await assert.rejects(ca.showToken('worker', 'prod', 'test'), (e: Error & { code?: string; field?: string }) => e.code === 'not_found' && e.field === 'env');
  await assert.rejects(ca.rotateToken('worker', 'prod', 'test'), (e: Error & { code?: string }) => e.code === 'not_found');
  await store.commit([{ op: 'create', kind: 'environment', value: environment('prod', '2026-01-01T00:00:00.000Z') }, { op: 'create', kind: 'environment', value: environment('dev', '2026-01-01T00:00:00.000Z') }], { actor: 't' });
  const prod = await ca.showToken('worker', 'prod', 'test');
  assert.equal(prod.env, 'prod');
  assert.ok(prod.token.includes(caHashOfPem(ca.caCertificatePem)), 'same format, same CA pin');
  assert.equal((await ca.showToken('worker', 'prod', 'test')).token, prod.token, 'shown again, not made again');
  const dev = await ca.showToken('worker', 'dev', 'test');
  assert.equal(new Set([prod.token, dev.token, tokens.worker]).size, 3);
  const cluster = await store.get<ClusterObject>('cluster', clusterId);
  assert.ok(!JSON.stringify(cluster).includes(prod.token), 'stored hashed and sealed only');

  const joined = await ca.join({ token: prod.token, csr: (await newKeyAndCsr('p')).csrPem, hostname: 'prod-1' }, '');
  assert.equal(joined.role, 'worker');
  assert.equal((await store.get<NodeObject>('node', joined.nodeId))?.env, 'prod');

  const rotated = await ca.rotateToken('worker', 'prod', 'test');
  assert.equal(rotated.env, 'prod');
  await assert.rejects(ca.join({ token: prod.token, csr: (await newKeyAndCsr('p')).csrPem }, ''), /rotated/);
  assert.equal((await store.get<NodeObject>('node', (await ca.join({ token: rotated.token, csr: (await newKeyAndCsr('p')).csrPem }, '')).nodeId))?.env, 'prod');
  assert.equal((await ca.showToken('worker', 'dev', 'test')).token, dev.token, 'rotating prod leaves dev alone');
  assert.equal((await ca.showToken('worker', 'default', 'test')).token, tokens.worker, 'and default');
});

test('a token of a removed environment joins nothing, also after an environment of the same name is created again', async () => {
  const prod = await ca.showToken('worker', 'prod', 'test');
  const current = await store.get<EnvironmentObject>('environment', 'prod');
  assert.ok(current);
  await store.commit([{ op: 'delete', kind: 'environment', id: 'prod' }], { actor: 't' });
  const before = (await nodes()).length;
  const refused = (e: Error & { code?: string; field?: string }) => e.code === 'unauthenticated' && e.field === 'token' && /environment "prod", which no longer exists/.test(e.message);
  await assert.rejects(ca.join({ token: prod.token, csr: (await newKeyAndCsr('p')).csrPem }, ''), refused);
  await store.commit([{ op: 'create', kind: 'environment', value: environment('prod', '2026-02-02T00:00:00.000Z') }], { actor: 't' });
  await assert.rejects(ca.join({ token: prod.token, csr: (await newKeyAndCsr('p')).csrPem }, ''), refused);
  assert.equal((await nodes()).length, before, 'a refused join stores nothing');
  const fresh = await ca.showToken('worker', 'prod', 'test');
  assert.notEqual(fresh.token, prod.token, 'the new prod gets a new token');
  assert.equal((await store.get<NodeObject>('node', (await ca.join({ token: fresh.token, csr: (await newKeyAndCsr('p')).csrPem }, '')).nodeId))?.env, 'prod');
});

test('removing an environment can drop its worker token in the same commit', async () => {
  const dev = await ca.showToken('worker', 'dev', 'test');
  assert.deepEqual(await ca.environmentRemovalOps('nosuch'), []);
  await store.commit([{ op: 'delete', kind: 'environment', id: 'dev' }, ...(await ca.environmentRemovalOps('dev'))], { actor: 't' });
  const cluster = await store.get<ClusterObject>('cluster', clusterId);
  assert.equal(cluster?.environmentTokens?.dev, undefined);
  assert.ok(cluster?.environmentTokens?.prod, 'other environments keep theirs');
  await assert.rejects(ca.join({ token: dev.token, csr: (await newKeyAndCsr('d')).csrPem }, ''), /not a current join token/);
});
